// GrpcInferenceService's trace and logging settings (Triton's trace and logging extensions).
// Like the shared memory calls they pass no drain gate: they touch no model.
#include "server/grpc/grpc_status.h"
#include "server/kserve/kserve_grpc.h"
#include "server/kserve/log_settings.h"

namespace tern {

grpc::Status GrpcInferenceService::TraceSetting(grpc::ServerContext*,
                                                const inference::TraceSettingRequest* request,
                                                inference::TraceSettingResponse* response) {
  auto run = [&]() -> Status {
    const std::string& model = request->model_name();
    if (!model.empty()) {
      TERN_RETURN_IF_ERROR(
          service_->ModelReady(ModelRef{model, std::nullopt, std::nullopt}).status());
    }
    if (!request->settings().empty()) {
      // An empty value list clears a model's setting, as tritonclient sends None.
      TraceSettingChanges changes;
      for (const auto& [name, value] : request->settings()) {
        if (value.value().empty()) {
          changes[name] = std::nullopt;
        } else {
          changes[name] = std::vector<std::string>(value.value().begin(), value.value().end());
        }
      }
      TERN_RETURN_IF_ERROR(service_->tracer().Update(model, changes));
    }
    for (const auto& [name, values] : service_->tracer().Settings(model)) {
      auto& out = (*response->mutable_settings())[name];
      for (const auto& v : values) out.add_value(v);
    }
    return Status::Ok();
  };
  return ToGrpcStatus(run());
}

grpc::Status GrpcInferenceService::LogSettings(grpc::ServerContext*,
                                               const inference::LogSettingsRequest* request,
                                               inference::LogSettingsResponse* response) {
  auto run = [&]() -> Status {
    LogSettingMap changes;
    for (const auto& [name, value] : request->settings()) {
      switch (value.parameter_choice_case()) {
        case inference::LogSettingsRequest::SettingValue::kBoolParam:
          changes[name] = value.bool_param();
          break;
        case inference::LogSettingsRequest::SettingValue::kUint32Param:
          changes[name] = value.uint32_param();
          break;
        case inference::LogSettingsRequest::SettingValue::kStringParam:
          changes[name] = value.string_param();
          break;
        default: return InvalidArgument("log setting '" + name + "' has no value");
      }
    }
    if (!changes.empty()) TERN_RETURN_IF_ERROR(UpdateLogSettings(changes));
    for (const auto& [name, value] : CurrentLogSettings()) {
      auto& out = (*response->mutable_settings())[name];
      if (const bool* b = std::get_if<bool>(&value)) {
        out.set_bool_param(*b);
      } else if (const uint32_t* u = std::get_if<uint32_t>(&value)) {
        out.set_uint32_param(*u);
      } else {
        out.set_string_param(std::get<std::string>(value));
      }
    }
    return Status::Ok();
  };
  return ToGrpcStatus(run());
}

}  // namespace tern
