// ModelManager: which model versions are served, their states, and the loop that keeps them in
// line with the config and the directories on disk.
//
// Requests read an immutable snapshot of the serving map (one atomic load, no lock held while a
// request runs); every change publishes a new snapshot. A version is freed when its last handle
// goes, so an unload never waits for in-flight requests and never pulls a model from under one.
// Step() is one pass of the loader: it can be driven by hand (tests) or by the background
// thread (StartBackground: inotify wakeups, a periodic poll, retries with backoff).
// Thread-safe; Step()s are serialized.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "common/status.h"
#include "loader/dir_watcher.h"
#include "loader/model_config.h"
#include "loader/servable.h"

namespace tern {

// TF Serving's ModelVersionStatus states.
enum class VersionState { kStart, kLoading, kAvailable, kUnloading, kEnd };
std::string_view VersionStateName(VersionState state);

struct VersionStatus {
  int64_t version = 0;
  VersionState state = VersionState::kStart;
  Status status;  // the last load error, if any
};

class ModelManager {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  struct Options {
    SavedModelLoadOptions load_options;
    bool enable_model_warmup = true;
    // Period of the background poll of every base path; <= 0: no periodic poll (inotify only).
    int64_t file_system_poll_wait_ms = 1000;
    // A version that failed to load is retried after min * 2^(failures-1), capped at max; a
    // change to its files retries it at once.
    int64_t min_retry_backoff_ms = 100;
    int64_t max_retry_backoff_ms = 30000;
    Clock clock;  // default: steady_clock::now
    Metrics* metrics = nullptr;  // not owned; load outcomes are recorded there when set
  };
  static std::unique_ptr<ModelManager> Create(Options options);
  ~ModelManager();

  // Replaces the list of served models. Takes effect at the next Step: models no longer listed
  // are unloaded, new ones loaded, changed policies and labels applied.
  void SetConfig(std::vector<ServedModelConfig> configs);
  // SetConfig then one Step, so the caller sees the outcome (TF Serving's ReloadConfig).
  Status ReloadConfig(std::vector<ServedModelConfig> configs);
  std::vector<ServedModelConfig> config() const;

  // One pass over every model; see the file comment.
  void Step();

  // Steps on file changes, every poll period, and when a retry is due, until Stop().
  void StartBackground();
  void Stop();

  // The requested version, or the highest available one when version is empty. NOT_FOUND
  // messages follow TF Serving's wording.
  StatusOr<ServableHandle> GetHandle(const std::string& model_name,
                                     std::optional<int64_t> version) const;
  // The version a label points to (from the model's version_labels).
  StatusOr<ServableHandle> GetHandleByLabel(const std::string& model_name,
                                            const std::string& label) const;
  StatusOr<int64_t> ResolveLabel(const std::string& model_name, const std::string& label) const;

  // Every version known for the model, highest first. NOT_FOUND for an unknown model.
  StatusOr<std::vector<VersionStatus>> GetStatus(const std::string& model_name) const;

  std::vector<std::string> ModelNames() const;

 private:
  struct ServedModel {
    std::map<int64_t, ServableHandle> versions;
    std::map<std::string, int64_t> labels;
  };
  using ServingMap = std::map<std::string, ServedModel>;

  // Loader-side bookkeeping of one version; touched only inside Step.
  struct Slot {
    bool loaded = false;
    int failures = 0;
    std::chrono::steady_clock::time_point next_retry{};
    std::string fingerprint;  // of the files when the last attempt failed
    std::string last_error;
  };
  struct ModelState {
    std::map<int64_t, Slot> slots;
  };
  // Unloaded versions some request may still hold; END once the last handle is gone.
  struct Retiring {
    std::string model;
    int64_t version = 0;
    std::weak_ptr<const ServableVersion> handle;
  };

  explicit ModelManager(Options options);
  static StatusOr<int64_t> LabelIn(const ServingMap& snapshot, const std::string& model_name,
                                   const std::string& label);
  std::chrono::steady_clock::time_point Now() const { return options_.clock(); }
  void SetStatus(const std::string& model, VersionStatus status);
  // Applies `edit` to a copy of the snapshot and publishes it.
  void Publish(const std::function<void(ServingMap&)>& edit);
  void StepModel(const ServedModelConfig& config, std::set<std::string>* watch);
  bool LoadVersion(const ServedModelConfig& config, int64_t version, const std::string& path,
                   Slot* slot);
  void Unload(const std::string& model, int64_t version, ModelState* state);
  void RetireFreed();
  void BackgroundLoop();

  const Options options_;
  std::unique_ptr<DirWatcher> watcher_;
  std::atomic<std::shared_ptr<const ServingMap>> serving_{std::make_shared<const ServingMap>()};

  mutable std::mutex mu_;  // guards statuses_, configs_, publishing
  std::map<std::string, std::map<int64_t, VersionStatus>> statuses_;
  std::vector<ServedModelConfig> configs_;

  std::mutex step_mu_;  // serializes Step; guards states_
  std::map<std::string, ModelState> states_;
  std::vector<Retiring> retiring_;
  std::chrono::steady_clock::time_point next_retry_{};  // earliest retry due, for the loop

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tern
