// KServeService's share of Triton's model repository extension: checks what Tern does not take
// (other repositories, model files in the request), maps Triton's `config` load parameter onto
// Tern's model config, and hands the rest to the ModelRepository.
#include "server/codec/json_internal.h"
#include "server/kserve/kserve_service.h"

namespace tern {
namespace {

using json_internal::Json;

Status CheckRepository(const std::string& repository, ModelRepository* models) {
  if (models == nullptr) {
    return Unimplemented("the model repository extension is not enabled on this server");
  }
  if (!repository.empty()) {
    return Unimplemented("repository_name '" + repository +
                         "': Tern serves one repository; leave repository_name empty");
  }
  return Status::Ok();
}

// Triton's `config` is a model configuration as JSON. Tern derives everything Triton's config
// says from the SavedModel, so the one field it maps is where the model lives: `base_path`.
StatusOr<ModelRepository::LoadOverride> OverrideFromConfig(const std::string& model,
                                                           const std::string& text) {
  TERN_ASSIGN_OR_RETURN(Json config, json_internal::ParseJsonObject(text));
  ModelRepository::LoadOverride out;
  for (const auto& [key, value] : config.items()) {
    if (key == "base_path" && value.is_string()) {
      out.base_path = value.get<std::string>();
    } else if (key == "name" && value.is_string()) {
      if (value.get<std::string>() != model) {
        return InvalidArgument("the load's config names model '" + value.get<std::string>() +
                               "', but the request loads '" + model + "'");
      }
    } else {
      return InvalidArgument("the load's config field '" + key + "' (" +
                             json_internal::JsonSnippet(value) +
                             ") is not one Tern maps: it takes {\"base_path\": \"<dir of version "
                             "directories>\"}; inputs, outputs and batching come from the "
                             "SavedModel and the server's flags");
    }
  }
  return out;
}

}  // namespace

StatusOr<std::vector<ModelRepository::Entry>> KServeService::RepositoryIndex(
    const std::string& repository, bool ready_only) const {
  TERN_RETURN_IF_ERROR(CheckRepository(repository, options_.repository));
  return options_.repository->Index(ready_only);
}

Status KServeService::RepositoryLoad(const std::string& repository, const std::string& model,
                                     const std::optional<std::string>& config_json,
                                     bool has_file_parameters) const {
  TERN_RETURN_IF_ERROR(CheckRepository(repository, options_.repository));
  if (has_file_parameters) {
    return Unimplemented("load of model " + model +
                         ": 'file:' parameters (model files in the request) are not supported; "
                         "put the SavedModel on disk and give its base_path in 'config'");
  }
  ModelRepository::LoadOverride override;
  if (config_json) {
    TERN_ASSIGN_OR_RETURN(override, OverrideFromConfig(model, *config_json));
  }
  return options_.repository->Load(model, override);
}

Status KServeService::RepositoryUnload(const std::string& repository,
                                       const std::string& model) const {
  TERN_RETURN_IF_ERROR(CheckRepository(repository, options_.repository));
  return options_.repository->Unload(model);
}

}  // namespace tern
