// ModelManager: which model versions are loaded, and their states, for the front ends.
// Requests read an immutable snapshot of the serving map (one atomic load, no lock held while
// a request runs); loads publish a new snapshot. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "loader/servable.h"

namespace tern {

// TF Serving's ModelVersionStatus states.
enum class VersionState { kStart, kLoading, kAvailable, kUnloading, kEnd };
std::string_view VersionStateName(VersionState state);

struct VersionStatus {
  int64_t version = 0;
  VersionState state = VersionState::kStart;
  Status status;  // the load error, if any
};

struct ModelSource {
  std::string name;
  std::string base_path;
};

class ModelManager {
 public:
  struct Options {
    SavedModelLoadOptions load_options;
  };
  static std::unique_ptr<ModelManager> Create(Options options);

  // Loads the highest version under the model's base path and serves it.
  Status LoadLatestVersion(const ModelSource& source);

  // The requested version, or the highest available one when version is empty. NOT_FOUND
  // messages follow TF Serving's wording.
  StatusOr<ServableHandle> GetHandle(const std::string& model_name,
                                     std::optional<int64_t> version) const;

  // Every version known for the model, highest first. NOT_FOUND for an unknown model.
  StatusOr<std::vector<VersionStatus>> GetStatus(const std::string& model_name) const;

  std::vector<std::string> ModelNames() const;

 private:
  using VersionMap = std::map<int64_t, ServableHandle>;
  using ServingMap = std::map<std::string, VersionMap>;

  explicit ModelManager(Options options) : options_(std::move(options)) {}
  void SetStatus(const std::string& model, VersionStatus status);
  void Publish(const std::string& model, ServableHandle servable);

  const Options options_;
  std::atomic<std::shared_ptr<const ServingMap>> serving_{std::make_shared<const ServingMap>()};
  mutable std::mutex mu_;  // guards statuses_ and serializes Publish
  std::map<std::string, std::map<int64_t, VersionStatus>> statuses_;
};

}  // namespace tern
