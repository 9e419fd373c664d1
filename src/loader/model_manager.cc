#include "loader/model_manager.h"

#include "common/logging.h"
#include "loader/version_dirs.h"

namespace tern {

std::string_view VersionStateName(VersionState state) {
  switch (state) {
    case VersionState::kStart: return "START";
    case VersionState::kLoading: return "LOADING";
    case VersionState::kAvailable: return "AVAILABLE";
    case VersionState::kUnloading: return "UNLOADING";
    case VersionState::kEnd: return "END";
  }
  return "UNKNOWN";
}

std::unique_ptr<ModelManager> ModelManager::Create(Options options) {
  return std::unique_ptr<ModelManager>(new ModelManager(std::move(options)));
}

void ModelManager::SetStatus(const std::string& model, VersionStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  statuses_[model][status.version] = std::move(status);
}

void ModelManager::Publish(const std::string& model, ServableHandle servable) {
  std::lock_guard<std::mutex> lock(mu_);
  auto next = std::make_shared<ServingMap>(*serving_.load());
  (*next)[model][servable->version] = std::move(servable);
  serving_.store(std::move(next));
}

Status ModelManager::LoadLatestVersion(const ModelSource& source) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    statuses_[source.name];  // the model is known from now on, even before a version loads
  }
  ASSIGN_OR_RETURN(auto versions, ListVersionDirs(source.base_path));
  if (versions.empty()) {
    return NotFound("no versions of model '" + source.name + "' found under '" +
                    source.base_path + "'");
  }
  const auto& [version, path] = *versions.rbegin();
  SetStatus(source.name, {version, VersionState::kLoading, Status::Ok()});
  TERN_LOG(Info) << "Loading model '" << source.name << "' version " << version << " from "
                 << path;
  auto model = SavedModel::Load(path, options_.load_options);
  if (!model.ok()) {
    SetStatus(source.name, {version, VersionState::kEnd, model.status()});
    return model.status().WithContext("loading model '" + source.name + "' version " +
                                      std::to_string(version));
  }
  auto servable = std::make_shared<ServableVersion>();
  servable->model_name = source.name;
  servable->version = version;
  servable->path = path;
  servable->model = std::move(model).value();
  Publish(source.name, std::move(servable));
  SetStatus(source.name, {version, VersionState::kAvailable, Status::Ok()});
  TERN_LOG(Info) << "Model '" << source.name << "' version " << version << " is AVAILABLE";
  return Status::Ok();
}

StatusOr<ServableHandle> ModelManager::GetHandle(const std::string& model_name,
                                                 std::optional<int64_t> version) const {
  std::shared_ptr<const ServingMap> snapshot = serving_.load();
  auto model = snapshot->find(model_name);
  if (model == snapshot->end() || model->second.empty()) {
    if (version) {
      return NotFound("Servable not found for request: Specific(" + model_name + ", " +
                      std::to_string(*version) + ")");
    }
    return NotFound("Servable not found for request: Latest(" + model_name + ")");
  }
  if (!version) return model->second.rbegin()->second;
  auto it = model->second.find(*version);
  if (it == model->second.end()) {
    return NotFound("Servable not found for request: Specific(" + model_name + ", " +
                    std::to_string(*version) + ")");
  }
  return it->second;
}

StatusOr<std::vector<VersionStatus>> ModelManager::GetStatus(const std::string& model_name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = statuses_.find(model_name);
  if (it == statuses_.end()) {
    return NotFound("Could not find any versions of model " + model_name);
  }
  std::vector<VersionStatus> out;
  for (auto v = it->second.rbegin(); v != it->second.rend(); ++v) out.push_back(v->second);
  return out;
}

std::vector<std::string> ModelManager::ModelNames() const {
  std::vector<std::string> names;
  for (const auto& [name, versions] : *serving_.load()) names.push_back(name);
  return names;
}

}  // namespace tern
