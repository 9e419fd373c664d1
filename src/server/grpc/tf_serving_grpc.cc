#include "server/grpc/tf_serving_grpc.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loader/model_config.h"
#include "runtime/format/tensor_proto.h"
#include "server/core/example_inference.h"
#include "server/core/model_metadata.h"
#include "server/grpc/grpc_status.h"
#include "server/grpc/grpc_unary_call.h"

namespace tern {
namespace {

using tensorflow::serving::ModelSpec;

StatusOr<ModelRef> ToModelRef(const ModelSpec& spec) {
  ModelRef ref;
  ref.name = spec.name();
  if (spec.has_version()) ref.version = spec.version().value();
  if (!spec.version_label().empty()) ref.label = spec.version_label();
  return ref;
}

// Ends an RPC's request metrics under the model and version its spec names.
void FinishObserving(RequestMetrics::Observer& observer, const ModelSpec& spec,
                     const grpc::Status& status) {
  std::optional<int64_t> version;
  if (spec.has_version()) version = spec.version().value();
  observer.Finish(spec.name(), version, FromGrpcStatusCode(status.error_code()));
}

// Counts and times one synchronous RPC (the asynchronous ones: ObserveRpc below).
// A call that starts once the drain gate closed is held, then refused unrun.
template <typename Body>
grpc::Status Metered(const RequestMetrics* metrics, GrpcDrainGate* gate,
                     const grpc::ServerContext* context, std::string_view method,
                     const ModelSpec& spec, Body body) {
  RequestMetrics::Observer observer(metrics, "grpc", method);
  Status admitted = Admit(gate, method, context);
  grpc::Status status = admitted.ok() ? body() : ToGrpcStatus(admitted);
  FinishObserving(observer, spec, status);
  return status;
}

// The request metrics of one asynchronous RPC, finished under the model spec its request names.
template <typename Request>
std::function<void(const Request&, const grpc::Status&)> ObserveRpc(
    const RequestMetrics* metrics, std::string_view method,
    const ModelSpec& (*spec_of)(const Request&)) {
  auto observer = std::make_shared<RequestMetrics::Observer>(metrics, "grpc", method);
  return [observer, spec_of](const Request& request, const grpc::Status& status) {
    FinishObserving(*observer, spec_of(request), status);
  };
}

template <typename Request>
const ModelSpec& SpecOf(const Request& request) {
  return request.model_spec();
}

const ModelSpec& FirstTaskSpec(const tensorflow::serving::MultiInferenceRequest& request) {
  return request.tasks_size() > 0 ? request.tasks(0).model_spec() : ModelSpec::default_instance();
}

// Resolves the servable a spec names; the RPC's deadline bounds a wait for a model at zero.
template <typename Request, typename Response>
StatusOr<ServableHandle> ServableFor(const InferenceCore& service, const ModelSpec& spec,
                                     const UnaryCall<Request, Response>& call) {
  TERN_ASSIGN_OR_RETURN(ModelRef ref, ToModelRef(spec));
  ref.deadline = call.options.deadline;
  return service.GetServable(ref);
}

using PredictCall =
    UnaryCall<tensorflow::serving::PredictRequest, tensorflow::serving::PredictResponse>;

Status StartPredict(InferenceCore* service, TensorProtoEncoding output_encoding,
                    std::shared_ptr<PredictCall> call) {
  const tensorflow::serving::PredictRequest& request = call->request;
  TERN_ASSIGN_OR_RETURN(ServableHandle servable,
                        ServableFor(*service, request.model_spec(), *call));
  TERN_ASSIGN_OR_RETURN(
      const Signature* signature,
      InferenceCore::GetSignature(servable, request.model_spec().signature_name()));
  std::map<std::string, Tensor> inputs;
  for (const auto& [name, proto] : request.inputs()) {
    auto tensor = TensorFromProto(proto);
    if (!tensor.ok()) return tensor.status().WithContext("input '" + name + "'");
    inputs.emplace(name, std::move(tensor).value());
  }
  std::vector<std::string> filter(request.output_filter().begin(), request.output_filter().end());
  service->PredictAsync(
      servable, *signature, std::move(inputs), std::move(filter), call->options,
      [call, servable, output_encoding,
       signature_name = signature->name](StatusOr<std::map<std::string, Tensor>> outputs) {
        if (!outputs.ok()) return call->finish(outputs.status());
        FillResponseModelSpec(*servable, signature_name, call->response.mutable_model_spec());
        for (const auto& [name, tensor] : *outputs) {
          TensorToProto(tensor, &(*call->response.mutable_outputs())[name], output_encoding);
        }
        call->finish(Status::Ok());
      });
  return Status::Ok();
}

// Classify and Regress differ only in the runner and the result field.
template <typename Request, typename Response, typename Runner>
Status StartExamplesRpc(InferenceCore* service, std::shared_ptr<UnaryCall<Request, Response>> call,
                        Runner runner) {
  const Request& request = call->request;
  TERN_ASSIGN_OR_RETURN(ServableHandle servable,
                        ServableFor(*service, request.model_spec(), *call));
  TERN_ASSIGN_OR_RETURN(
      const Signature* signature,
      InferenceCore::GetSignature(servable, request.model_spec().signature_name()));
  TERN_ASSIGN_OR_RETURN(Tensor examples, SerializedExamples(request.input()));
  runner(*service, servable, *signature, std::move(examples), call->options,
         [call, servable, signature_name = signature->name](auto result) {
           if (!result.ok()) return call->finish(result.status());
           *call->response.mutable_result() = std::move(result).value();
           FillResponseModelSpec(*servable, signature_name, call->response.mutable_model_spec());
           call->finish(Status::Ok());
         });
  return Status::Ok();
}

using MultiInferenceCall = UnaryCall<tensorflow::serving::MultiInferenceRequest,
                                     tensorflow::serving::MultiInferenceResponse>;

Status StartMultiInference(InferenceCore* service, std::shared_ptr<MultiInferenceCall> call) {
  const tensorflow::serving::MultiInferenceRequest& request = call->request;
  if (request.tasks().empty()) return InvalidArgument("MultiInferenceRequest has no tasks");
  TERN_ASSIGN_OR_RETURN(ServableHandle servable,
                        ServableFor(*service, request.tasks(0).model_spec(), *call));
  RunMultiInference(*service, servable, request, call->options,
                    [call](StatusOr<tensorflow::serving::MultiInferenceResponse> response) {
                      if (!response.ok()) return call->finish(response.status());
                      call->response = std::move(response).value();
                      call->finish(Status::Ok());
                    });
  return Status::Ok();
}

}  // namespace

grpc::ServerUnaryReactor* GrpcPredictionService::Predict(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request_bytes,
                                                         grpc::ByteBuffer* response_bytes) {
  using Request = tensorflow::serving::PredictRequest;
  return ServeRawUnary<Request, tensorflow::serving::PredictResponse>(
      context, request_bytes, response_bytes,
      {"Predict", "tensorflow.serving.PredictRequest", gate_,
       UnaryMethod::Admission::kBeforeParsing},
      ObserveRpc<Request>(metrics_, "Predict", &SpecOf<Request>),
      [this](std::shared_ptr<PredictCall> call) {
        return StartPredict(service_, output_encoding_, std::move(call));
      });
}

grpc::ServerUnaryReactor* GrpcPredictionService::Classify(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request_bytes,
                                                          grpc::ByteBuffer* response_bytes) {
  using Request = tensorflow::serving::ClassificationRequest;
  using Response = tensorflow::serving::ClassificationResponse;
  return ServeRawUnary<Request, Response>(
      context, request_bytes, response_bytes,
      {"Classify", "tensorflow.serving.ClassificationRequest", gate_},
      ObserveRpc<Request>(metrics_, "Classify", &SpecOf<Request>),
      [this](std::shared_ptr<UnaryCall<Request, Response>> call) {
        return StartExamplesRpc(service_, std::move(call), RunClassify);
      });
}

grpc::ServerUnaryReactor* GrpcPredictionService::Regress(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request_bytes,
                                                         grpc::ByteBuffer* response_bytes) {
  using Request = tensorflow::serving::RegressionRequest;
  using Response = tensorflow::serving::RegressionResponse;
  return ServeRawUnary<Request, Response>(
      context, request_bytes, response_bytes,
      {"Regress", "tensorflow.serving.RegressionRequest", gate_},
      ObserveRpc<Request>(metrics_, "Regress", &SpecOf<Request>),
      [this](std::shared_ptr<UnaryCall<Request, Response>> call) {
        return StartExamplesRpc(service_, std::move(call), RunRegress);
      });
}

grpc::ServerUnaryReactor* GrpcPredictionService::MultiInference(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response_bytes) {
  using Request = tensorflow::serving::MultiInferenceRequest;
  return ServeRawUnary<Request, tensorflow::serving::MultiInferenceResponse>(
      context, request_bytes, response_bytes,
      {"MultiInference", "tensorflow.serving.MultiInferenceRequest", gate_},
      ObserveRpc<Request>(metrics_, "MultiInference", &FirstTaskSpec),
      [this](std::shared_ptr<MultiInferenceCall> call) {
        return StartMultiInference(service_, std::move(call));
      });
}

grpc::Status GrpcPredictionService::GetModelMetadata(
    grpc::ServerContext* context, const tensorflow::serving::GetModelMetadataRequest* request,
    tensorflow::serving::GetModelMetadataResponse* response) {
  auto run = [&]() -> Status {
    TERN_ASSIGN_OR_RETURN(ModelRef ref, ToModelRef(request->model_spec()));
    TERN_ASSIGN_OR_RETURN(ServableHandle servable, service_->GetServable(ref));
    std::vector<std::string> fields(request->metadata_field().begin(),
                                    request->metadata_field().end());
    TERN_ASSIGN_OR_RETURN(*response, tern::GetModelMetadata(servable, fields));
    return Status::Ok();
  };
  return Metered(metrics_, gate_, context, "GetModelMetadata", request->model_spec(),
                 [&] { return ToGrpcStatus(run()); });
}

grpc::Status GrpcModelService::GetModelStatus(
    grpc::ServerContext* context, const tensorflow::serving::GetModelStatusRequest* request,
    tensorflow::serving::GetModelStatusResponse* response) {
  auto run = [&]() -> Status {
    TERN_ASSIGN_OR_RETURN(ModelRef ref, ToModelRef(request->model_spec()));
    TERN_ASSIGN_OR_RETURN(auto statuses, service_->GetModelStatus(ref));
    for (const auto& s : statuses) {
      auto* out = response->add_model_version_status();
      out->set_version(s.version);
      switch (s.state) {
        case VersionState::kStart:
          out->set_state(tensorflow::serving::ModelVersionStatus::START);
          break;
        case VersionState::kLoading:
          out->set_state(tensorflow::serving::ModelVersionStatus::LOADING);
          break;
        case VersionState::kAvailable:
          out->set_state(tensorflow::serving::ModelVersionStatus::AVAILABLE);
          break;
        case VersionState::kUnloading:
          out->set_state(tensorflow::serving::ModelVersionStatus::UNLOADING);
          break;
        case VersionState::kEnd:
          out->set_state(tensorflow::serving::ModelVersionStatus::END);
          break;
      }
      out->mutable_status()->set_error_code(static_cast<tensorflow::error::Code>(s.status.code()));
      out->mutable_status()->set_error_message(s.status.message());
      out->set_runtime(s.runtime);
      out->set_runtime_reason(s.runtime_reason);
    }
    return Status::Ok();
  };
  return Metered(metrics_, gate_, context, "GetModelStatus", request->model_spec(),
                 [&] { return ToGrpcStatus(run()); });
}

grpc::Status GrpcModelService::HandleReloadConfigRequest(
    grpc::ServerContext* context, const tensorflow::serving::ReloadConfigRequest* request,
    tensorflow::serving::ReloadConfigResponse* response) {
  // A rejected config leaves the running models alone; the error travels both as the RPC
  // status and in the response's StatusProto, as TF Serving reports it.
  if (Status admitted = Admit(gate_, "HandleReloadConfigRequest", context); !admitted.ok()) {
    return ToGrpcStatus(admitted);
  }
  auto configs = ModelConfigsFromProto(request->config());
  Status result = configs.ok() ? manager_->ReloadConfig(std::move(configs).value())
                               : configs.status().WithContext("ReloadConfigRequest rejected");
  response->mutable_status()->set_error_code(static_cast<tensorflow::error::Code>(result.code()));
  response->mutable_status()->set_error_message(result.message());
  return ToGrpcStatus(result);
}

}  // namespace tern
