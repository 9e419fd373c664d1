#include "server/core/model_repository.h"

#include <algorithm>

namespace tern {
namespace {

ModelRepository::Entry EntryFor(const std::string& name, const VersionStatus& s) {
  ModelRepository::Entry e{name, s.version, "UNAVAILABLE", ""};
  switch (s.state) {
    case VersionState::kAvailable: e.state = "READY"; break;
    case VersionState::kLoading: e.state = "LOADING"; break;
    case VersionState::kUnloading: e.state = "UNLOADING"; break;
    case VersionState::kStart:
      if (s.status.ok()) {
        // Scale from zero: not in memory, but the next request loads it, so it serves.
        e.state = "READY";
        e.reason = "at zero instances: loads on the first request";
      } else {
        e.reason = s.status.message();
      }
      break;
    case VersionState::kEnd: e.reason = s.status.ok() ? "unloaded" : s.status.message(); break;
  }
  return e;
}

}  // namespace

std::vector<ModelRepository::Entry> ModelRepository::Index(bool ready_only) const {
  std::map<std::string, bool> names;  // name -> unloaded through the repository
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, config] : unloaded_) names[name] = true;
  }
  for (const auto& config : manager_->config()) names[config.name] = false;
  std::vector<Entry> out;
  for (const auto& [name, unloaded] : names) {
    auto statuses = manager_->GetStatus(name);
    if (!statuses.ok() || statuses->empty()) {
      out.push_back({name, std::nullopt, "UNAVAILABLE",
                     unloaded ? "unloaded" : "no version has been found under its base path"});
      continue;
    }
    for (auto it = statuses->rbegin(); it != statuses->rend(); ++it) {
      Entry e = EntryFor(name, *it);
      if (unloaded) {
        e.state = "UNAVAILABLE";
        e.reason = "unloaded";
      }
      out.push_back(std::move(e));
    }
  }
  if (ready_only) {
    out.erase(
        std::remove_if(out.begin(), out.end(), [](const Entry& e) { return e.state != "READY"; }),
        out.end());
  }
  return out;
}

Status ModelRepository::Load(const std::string& name, const LoadOverride& override) {
  if (name.empty()) return InvalidArgument("model name is empty");
  if (override.base_path && override.base_path->empty()) {
    return InvalidArgument("model " + name + ": the load's base_path is empty");
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ServedModelConfig> configs = manager_->config();
  auto listed = std::find_if(configs.begin(), configs.end(),
                             [&](const ServedModelConfig& c) { return c.name == name; });
  if (listed == configs.end()) {
    ServedModelConfig config;
    if (auto it = unloaded_.find(name); it != unloaded_.end()) {
      config = it->second;
    } else if (override.base_path) {
      config.name = name;
    } else {
      return NotFound("model " + name +
                      " is neither in the model config nor unloaded through the repository API; "
                      "to serve it from a directory, load it with a 'config' parameter giving "
                      "its base_path");
    }
    configs.push_back(std::move(config));
    listed = configs.end() - 1;
  }
  if (override.base_path) listed->base_path = *override.base_path;
  const ServedModelConfig loaded = *listed;
  Status reloaded = manager_->ReloadConfig(std::move(configs));
  unloaded_.erase(name);
  if (!reloaded.ok()) return reloaded;
  return CheckServing(loaded);
}

Status ModelRepository::CheckServing(const ServedModelConfig& config) const {
  TERN_ASSIGN_OR_RETURN(auto statuses, manager_->GetStatus(config.name));
  std::string why;
  for (const auto& s : statuses) {
    const bool serves =
        s.state == VersionState::kAvailable ||
        (config.min_instances == 0 && s.state == VersionState::kStart && s.status.ok());
    if (serves) return Status::Ok();
    if (why.empty() && !s.status.ok()) {
      why = "version " + std::to_string(s.version) + ": " + s.status.message();
    }
  }
  if (why.empty()) why = "no version found under " + config.base_path;
  return Unavailable("failed to load model " + config.name + ": " + why);
}

Status ModelRepository::Unload(const std::string& name) {
  if (name.empty()) return InvalidArgument("model name is empty");
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ServedModelConfig> configs = manager_->config();
  auto listed = std::find_if(configs.begin(), configs.end(),
                             [&](const ServedModelConfig& c) { return c.name == name; });
  if (listed == configs.end()) {
    if (unloaded_.count(name)) return Status::Ok();  // already unloaded
    return NotFound("model " + name + " is not known to the server");
  }
  unloaded_[name] = *listed;
  configs.erase(listed);
  return manager_->ReloadConfig(std::move(configs));
}

}  // namespace tern
