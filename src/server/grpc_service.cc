#include "server/grpc_service.h"

#include "runtime/tensor_proto.h"
#include "server/status_codes.h"

namespace tern {
namespace {

StatusOr<ModelRef> ToModelRef(const tensorflow::serving::ModelSpec& spec) {
  ModelRef ref;
  ref.name = spec.name();
  if (spec.has_version()) ref.version = spec.version().value();
  if (!spec.version_label().empty()) {
    return Unimplemented("version_label '" + spec.version_label() +
                         "' is not supported yet; use a version number");
  }
  return ref;
}

RunOptions RunOptionsFor(const grpc::ServerContext* context) {
  RunOptions options;
  const auto deadline = context->deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    options.deadline = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           deadline - std::chrono::system_clock::now());
  }
  return options;
}

grpc::Status NotYet(const char* method) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      std::string(method) + " is not implemented in Tern yet; use Predict");
}

// Counts and times one RPC: the single place gRPC requests meet the metrics.
template <typename Body>
grpc::Status Metered(const RequestMetrics* metrics, std::string_view method,
                     const tensorflow::serving::ModelSpec& spec, Body body) {
  RequestMetrics::Observer observer(metrics, "grpc", method);
  grpc::Status status = body();
  std::optional<int64_t> version;
  if (spec.has_version()) version = spec.version().value();
  observer.Finish(spec.name(), version, FromGrpcStatusCode(status.error_code()));
  return status;
}

}  // namespace

grpc::Status GrpcPredictionService::Predict(grpc::ServerContext* context,
                                            const tensorflow::serving::PredictRequest* request,
                                            tensorflow::serving::PredictResponse* response) {
  auto run = [&]() -> Status {
    ASSIGN_OR_RETURN(ModelRef ref, ToModelRef(request->model_spec()));
    ASSIGN_OR_RETURN(ServableHandle servable, service_->GetServable(ref));
    ASSIGN_OR_RETURN(const Signature* signature,
                     PredictionService::GetSignature(servable, request->model_spec().signature_name()));
    std::map<std::string, Tensor> inputs;
    for (const auto& [name, proto] : request->inputs()) {
      auto tensor = TensorFromProto(proto);
      if (!tensor.ok()) return tensor.status().WithContext("input '" + name + "'");
      inputs.emplace(name, std::move(tensor).value());
    }
    std::vector<std::string> filter(request->output_filter().begin(), request->output_filter().end());
    ASSIGN_OR_RETURN(auto outputs, service_->Predict(servable, *signature, inputs, filter,
                                                     RunOptionsFor(context)));
    auto* spec = response->mutable_model_spec();
    spec->set_name(servable->model_name);
    spec->mutable_version()->set_value(servable->version);
    spec->set_signature_name(signature->name);
    for (const auto& [name, tensor] : outputs) {
      TensorToProto(tensor, &(*response->mutable_outputs())[name]);
    }
    return Status::Ok();
  };
  return Metered(metrics_, "Predict", request->model_spec(), [&] { return ToGrpcStatus(run()); });
}

grpc::Status GrpcPredictionService::Classify(grpc::ServerContext*,
                                             const tensorflow::serving::ClassificationRequest* request,
                                             tensorflow::serving::ClassificationResponse*) {
  return Metered(metrics_, "Classify", request->model_spec(), [] { return NotYet("Classify"); });
}

grpc::Status GrpcPredictionService::Regress(grpc::ServerContext*,
                                            const tensorflow::serving::RegressionRequest* request,
                                            tensorflow::serving::RegressionResponse*) {
  return Metered(metrics_, "Regress", request->model_spec(), [] { return NotYet("Regress"); });
}

grpc::Status GrpcPredictionService::MultiInference(
    grpc::ServerContext*, const tensorflow::serving::MultiInferenceRequest* request,
    tensorflow::serving::MultiInferenceResponse*) {
  const auto& spec = request->tasks_size() > 0 ? request->tasks(0).model_spec()
                                               : tensorflow::serving::ModelSpec::default_instance();
  return Metered(metrics_, "MultiInference", spec, [] { return NotYet("MultiInference"); });
}

grpc::Status GrpcPredictionService::GetModelMetadata(
    grpc::ServerContext*, const tensorflow::serving::GetModelMetadataRequest* request,
    tensorflow::serving::GetModelMetadataResponse*) {
  return Metered(metrics_, "GetModelMetadata", request->model_spec(),
                 [] { return NotYet("GetModelMetadata"); });
}

grpc::Status GrpcModelService::GetModelStatus(
    grpc::ServerContext*, const tensorflow::serving::GetModelStatusRequest* request,
    tensorflow::serving::GetModelStatusResponse* response) {
  auto run = [&]() -> Status {
    ASSIGN_OR_RETURN(ModelRef ref, ToModelRef(request->model_spec()));
    ASSIGN_OR_RETURN(auto statuses, service_->GetModelStatus(ref));
    for (const auto& s : statuses) {
      auto* out = response->add_model_version_status();
      out->set_version(s.version);
      switch (s.state) {
        case VersionState::kStart: out->set_state(tensorflow::serving::ModelVersionStatus::START); break;
        case VersionState::kLoading: out->set_state(tensorflow::serving::ModelVersionStatus::LOADING); break;
        case VersionState::kAvailable: out->set_state(tensorflow::serving::ModelVersionStatus::AVAILABLE); break;
        case VersionState::kUnloading: out->set_state(tensorflow::serving::ModelVersionStatus::UNLOADING); break;
        case VersionState::kEnd: out->set_state(tensorflow::serving::ModelVersionStatus::END); break;
      }
      out->mutable_status()->set_error_code(static_cast<tensorflow::error::Code>(s.status.code()));
      out->mutable_status()->set_error_message(s.status.message());
    }
    return Status::Ok();
  };
  return Metered(metrics_, "GetModelStatus", request->model_spec(),
                 [&] { return ToGrpcStatus(run()); });
}

}  // namespace tern
