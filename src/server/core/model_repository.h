// ModelRepository: Triton's model repository extension (index, load, unload by name) over the
// ModelManager's one state machine. The models it knows are the manager's config plus those
// unloaded through it, which it keeps with their config so that a load by name brings them back.
// Load and unload replace the manager's config and step it once (ModelManager::ReloadConfig), so
// they load, warm up, count in the metrics and the memory budget exactly as a config reload
// does; an unloaded version is freed when its last in-flight request lets go of it, as in a hot
// swap. A config reload from elsewhere (the config file, HandleReloadConfigRequest) stays the
// source of truth: a model it lists is served whatever was unloaded here. The manager is not
// owned and must outlive it. Thread-safe: loads and unloads are serialized.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "loader/model_manager.h"

namespace tern {

class ModelRepository {
 public:
  explicit ModelRepository(ModelManager* manager) : manager_(manager) {}

  // One row of the index: a version of a model (version empty when the model has none known).
  // state is Triton's: READY, LOADING, UNLOADING or UNAVAILABLE; reason says why when not READY.
  struct Entry {
    std::string name;
    std::optional<int64_t> version;
    std::string state;
    std::string reason;
  };
  // Every model and version known, by name then version; only READY rows when ready_only.
  std::vector<Entry> Index(bool ready_only) const;

  // Where a load may serve the model from instead (Triton's `config` parameter, mapped).
  struct LoadOverride {
    std::optional<std::string> base_path;
  };
  // Loads a model by name, or reloads it (re-reads its base path): one the config lists, one
  // unloaded through this repository, or, given override.base_path, a new model served from
  // there. Returns once the model is available (or at zero instances with a version to load on
  // demand), else the reason it is not. NOT_FOUND for an unknown name without a base path.
  Status Load(const std::string& name, const LoadOverride& override = {});
  // Takes the model out of service: no new request reaches it; requests in flight finish on
  // the versions they hold. NOT_FOUND for a model the repository does not know.
  Status Unload(const std::string& name);

 private:
  Status CheckServing(const ServedModelConfig& config) const;

  ModelManager* manager_;
  mutable std::mutex mu_;
  std::map<std::string, ServedModelConfig> unloaded_;  // by name; guarded by mu_
};

}  // namespace tern
