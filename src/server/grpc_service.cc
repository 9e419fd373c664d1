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
  return ToGrpcStatus(run());
}

grpc::Status GrpcPredictionService::Classify(grpc::ServerContext*,
                                             const tensorflow::serving::ClassificationRequest*,
                                             tensorflow::serving::ClassificationResponse*) {
  return NotYet("Classify");
}

grpc::Status GrpcPredictionService::Regress(grpc::ServerContext*,
                                            const tensorflow::serving::RegressionRequest*,
                                            tensorflow::serving::RegressionResponse*) {
  return NotYet("Regress");
}

grpc::Status GrpcPredictionService::MultiInference(
    grpc::ServerContext*, const tensorflow::serving::MultiInferenceRequest*,
    tensorflow::serving::MultiInferenceResponse*) {
  return NotYet("MultiInference");
}

// Minimal signature_def metadata so that perf_analyzer --service-kind=tfserving (the batching
// benchmark) can read the inputs. The api branch replaces this with the full implementation.
grpc::Status GrpcPredictionService::GetModelMetadata(
    grpc::ServerContext*, const tensorflow::serving::GetModelMetadataRequest* request,
    tensorflow::serving::GetModelMetadataResponse* response) {
  auto run = [&]() -> Status {
    for (const auto& field : request->metadata_field()) {
      if (field != "signature_def") {
        return InvalidArgument("metadata field '" + field + "' is not supported; use signature_def");
      }
    }
    ASSIGN_OR_RETURN(ModelRef ref, ToModelRef(request->model_spec()));
    ASSIGN_OR_RETURN(ServableHandle servable, service_->GetServable(ref));
    tensorflow::serving::SignatureDefMap signatures;
    for (const auto& [name, def] : servable->model->meta_graph().signature_def()) {
      if (servable->model->signatures().count(name)) (*signatures.mutable_signature_def())[name] = def;
    }
    response->mutable_model_spec()->set_name(servable->model_name);
    response->mutable_model_spec()->mutable_version()->set_value(servable->version);
    (*response->mutable_metadata())["signature_def"].PackFrom(signatures);
    return Status::Ok();
  };
  return ToGrpcStatus(run());
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
  return ToGrpcStatus(run());
}

}  // namespace tern
