#include "loader/model_config.h"

#include <mutex>
#include <set>

#include "common/logging.h"
#include "common/proto_text_file.h"

namespace tern {
namespace {

// Once per model name: config files are re-read on every poll.
void NoteLoggingConfigIgnored(const std::string& model) {
  static std::mutex mu;
  static auto* noted = new std::set<std::string>();
  std::lock_guard<std::mutex> lock(mu);
  if (!noted->insert(model).second) return;
  TERN_LOG(Info) << "model '" << model
                 << "': logging_config does not apply to Tern (it has no request logger); "
                    "ignored";
}

StatusOr<VersionPolicy> PolicyFromProto(
    const tensorflow::serving::FileSystemStoragePathSourceConfig::ServableVersionPolicy& proto,
    const std::string& model) {
  using Proto = tensorflow::serving::FileSystemStoragePathSourceConfig::ServableVersionPolicy;
  VersionPolicy policy;
  switch (proto.policy_choice_case()) {
    case Proto::kLatest:
      policy.kind = VersionPolicy::Kind::kLatest;
      // proto3 cannot tell 0 from unset; TF Serving serves one version then too.
      policy.num_versions = proto.latest().num_versions() == 0 ? 1 : proto.latest().num_versions();
      break;
    case Proto::kAll: policy.kind = VersionPolicy::Kind::kAll; break;
    case Proto::kSpecific:
      policy.kind = VersionPolicy::Kind::kSpecific;
      if (proto.specific().versions().empty()) {
        return InvalidArgument("model '" + model +
                               "': model_version_policy.specific lists no versions");
      }
      for (int64_t v : proto.specific().versions()) {
        if (v <= 0) {
          return InvalidArgument("model '" + model +
                                 "': model_version_policy.specific has version " +
                                 std::to_string(v) + "; versions are positive integers");
        }
        policy.versions.insert(v);
      }
      break;
    case Proto::POLICY_CHOICE_NOT_SET: break;  // latest { num_versions: 1 }
  }
  return policy;
}

Status ScaleFromProto(const tensorflow::serving::ModelConfig& m, const std::string& model,
                      ServedModelConfig* c) {
  if (m.has_min_instances()) {
    if (m.min_instances() < 0) {
      return InvalidArgument(model + ": min_instances is " + std::to_string(m.min_instances()) +
                             "; expected 0 (load on the first request) or more (always loaded)");
    }
    c->min_instances = m.min_instances();
  }
  if (m.max_instances() < 0) {
    return InvalidArgument(model + ": max_instances is " + std::to_string(m.max_instances()) +
                           "; expected 0 (no limit) or a positive count");
  }
  if (m.max_instances() > 0 && c->min_instances > m.max_instances()) {
    return InvalidArgument(model + ": min_instances " + std::to_string(c->min_instances) +
                           " is above max_instances " + std::to_string(m.max_instances()));
  }
  c->max_instances = m.max_instances();
  if (m.idle_unload_seconds() < 0) {
    return InvalidArgument(model + ": idle_unload_seconds is " +
                           std::to_string(m.idle_unload_seconds()) + "; expected >= 0");
  }
  if (m.idle_unload_seconds() > 0 && c->min_instances != 0) {
    return InvalidArgument(model +
                           ": idle_unload_seconds needs min_instances: 0 (a model with "
                           "min_instances >= 1 is never unloaded)");
  }
  c->idle_unload_seconds = m.idle_unload_seconds();
  return Status::Ok();
}

}  // namespace

const char* RuntimeChoiceName(RuntimeChoice choice) {
  switch (choice) {
    case RuntimeChoice::kAuto: return "auto";
    case RuntimeChoice::kTern: return "tern";
    case RuntimeChoice::kTensorflow: return "tensorflow";
  }
  return "auto";
}

StatusOr<RuntimeChoice> ParseRuntimeChoice(const std::string& text) {
  if (text.empty() || text == "auto") return RuntimeChoice::kAuto;
  if (text == "tern") return RuntimeChoice::kTern;
  if (text == "tensorflow") return RuntimeChoice::kTensorflow;
  return InvalidArgument("runtime '" + text + "' is not one of auto, tern, tensorflow");
}

std::set<int64_t> AspiredVersions(const VersionPolicy& policy, const std::set<int64_t>& on_disk) {
  std::set<int64_t> out;
  switch (policy.kind) {
    case VersionPolicy::Kind::kAll: return on_disk;
    case VersionPolicy::Kind::kSpecific:
      for (int64_t v : policy.versions) {
        if (on_disk.count(v)) out.insert(v);
      }
      return out;
    case VersionPolicy::Kind::kLatest: {
      int64_t left = policy.num_versions;
      for (auto it = on_disk.rbegin(); it != on_disk.rend() && left > 0; ++it, --left) {
        out.insert(*it);
      }
      return out;
    }
  }
  return out;
}

StatusOr<std::vector<ServedModelConfig>> ModelConfigsFromProto(
    const tensorflow::serving::ModelServerConfig& config) {
  if (config.has_custom_model_config()) {
    return InvalidArgument("custom_model_config is not supported; use model_config_list");
  }
  std::vector<ServedModelConfig> out;
  std::set<std::string> names;
  const auto& list = config.model_config_list().config();
  for (int i = 0; i < list.size(); ++i) {
    const auto& m = list[i];
    const std::string where = "model_config_list.config[" + std::to_string(i) + "]";
    if (m.name().empty()) return InvalidArgument(where + ": name is empty");
    const std::string model = "model '" + m.name() + "' (" + where + ")";
    if (!names.insert(m.name()).second) {
      return InvalidArgument(model + ": the name is used by an earlier model too");
    }
    if (m.base_path().empty()) return InvalidArgument(model + ": base_path is empty");
    if (!m.model_platform().empty() && m.model_platform() != "tensorflow") {
      return InvalidArgument(model + ": model_platform '" + m.model_platform() +
                             "' is not supported; expected 'tensorflow'");
    }
    if (m.model_type() == tensorflow::serving::OTHER) {
      return InvalidArgument(model + ": model_type OTHER is not supported");
    }
    ServedModelConfig c;
    c.name = m.name();
    c.base_path = m.base_path();
    auto policy = PolicyFromProto(m.model_version_policy(), m.name());
    if (!policy.ok()) return policy.status();
    c.policy = *policy;
    for (const auto& [label, version] : m.version_labels()) {
      if (version <= 0) {
        return InvalidArgument(model + ": version label '" + label + "' points to version " +
                               std::to_string(version) + "; versions are positive integers");
      }
      c.version_labels[label] = version;
    }
    TERN_RETURN_IF_ERROR(ScaleFromProto(m, model, &c));
    auto runtime = ParseRuntimeChoice(m.runtime());
    if (!runtime.ok()) return runtime.status().WithContext(model);
    c.runtime = *runtime;
    if (m.has_logging_config()) NoteLoggingConfigIgnored(m.name());
    out.push_back(std::move(c));
  }
  return out;
}

StatusOr<ServedModelConfig> SingleModelConfig(const SingleModelOptions& options) {
  tensorflow::serving::ModelServerConfig proto;
  auto* m = proto.mutable_model_config_list()->add_config();
  m->set_name(options.name);
  m->set_base_path(options.base_path);
  m->set_min_instances(options.min_instances);
  m->set_max_instances(options.max_instances);
  m->set_idle_unload_seconds(options.idle_unload_seconds);
  m->set_runtime(options.runtime);
  auto configs = ModelConfigsFromProto(proto);
  if (!configs.ok()) return configs.status().WithContext("flags");
  return configs->front();
}

StatusOr<std::vector<ServedModelConfig>> ParseModelConfigText(const std::string& text,
                                                              const std::string& source_name) {
  tensorflow::serving::ModelServerConfig proto;
  if (Status parsed = ParseProtoText(text, &proto); !parsed.ok()) {
    return InvalidArgument("model config '" + source_name + "': " + parsed.message());
  }
  auto configs = ModelConfigsFromProto(proto);
  if (!configs.ok()) return configs.status().WithContext("model config '" + source_name + "'");
  return configs;
}

StatusOr<std::vector<ServedModelConfig>> ReadModelConfigFile(const std::string& path) {
  auto text = ReadTextFile(path);
  if (!text.ok()) return NotFound("cannot open model config file '" + path + "'");
  return ParseModelConfigText(*text, path);
}

}  // namespace tern
