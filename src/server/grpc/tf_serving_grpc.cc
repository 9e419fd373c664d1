#include "server/grpc/tf_serving_grpc.h"

#include "loader/model_config.h"
#include "runtime/format/tensor_proto.h"
#include "server/core/example_inference.h"
#include "server/grpc/grpc_unary_call.h"
#include "server/core/model_metadata.h"
#include "server/grpc/grpc_status.h"

namespace tern {
namespace {

StatusOr<ModelRef> ToModelRef(const tensorflow::serving::ModelSpec& spec) {
  ModelRef ref;
  ref.name = spec.name();
  if (spec.has_version()) ref.version = spec.version().value();
  if (!spec.version_label().empty()) ref.label = spec.version_label();
  return ref;
}

RunOptions RunOptionsFor(const grpc::ServerContextBase* context) {
  RunOptions options;
  const auto deadline = context->deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    options.deadline = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           deadline - std::chrono::system_clock::now());
  }
  return options;
}

// Counts and times one RPC: the single place gRPC requests meet the metrics.
// A call that starts once the drain gate closed is held, then refused unrun.
template <typename Body>
grpc::Status Metered(const RequestMetrics* metrics, GrpcDrainGate* gate,
                     const grpc::ServerContext* context, std::string_view method,
                     const tensorflow::serving::ModelSpec& spec, Body body) {
  RequestMetrics::Observer observer(metrics, "grpc", method);
  Status admitted = Admit(gate, method, context);
  grpc::Status status = admitted.ok() ? body() : ToGrpcStatus(admitted);
  std::optional<int64_t> version;
  if (spec.has_version()) version = spec.version().value();
  observer.Finish(spec.name(), version, FromGrpcStatusCode(status.error_code()));
  return status;
}

}  // namespace

grpc::ServerUnaryReactor* GrpcPredictionService::Predict(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request_bytes,
                                                         grpc::ByteBuffer* response_bytes) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // Live until the answer, which may come from a batch thread after this function returned.
  struct Call {
    tensorflow::serving::PredictRequest request;
    tensorflow::serving::PredictResponse response;
  };
  auto call = std::make_shared<Call>();
  auto observer = std::make_shared<RequestMetrics::Observer>(metrics_, "grpc", "Predict");
  auto finish = [reactor, observer, call, response_bytes](const Status& status) {
    const auto& spec = call->request.model_spec();
    std::optional<int64_t> version;
    if (spec.has_version()) version = spec.version().value();
    grpc::Status rpc_status = ToGrpcStatus(status);
    if (rpc_status.ok()) {
      bool own_buffer = false;
      grpc::ByteBuffer out;
      rpc_status = grpc::SerializationTraits<tensorflow::serving::PredictResponse>::Serialize(
          call->response, &out, &own_buffer);
      if (rpc_status.ok()) response_bytes->Swap(&out);
    }
    observer->Finish(spec.name(), version, FromGrpcStatusCode(rpc_status.error_code()));
    reactor->Finish(rpc_status);  // response_bytes is released after this
  };
  // Once the drain began, the call is held (its client waiting, not sending more) and refused.
  if (gate_ != nullptr && !gate_->AdmitAsync("Predict", finish)) return reactor;
  const tensorflow::serving::PredictRequest* request = &call->request;
  tensorflow::serving::PredictResponse* response = &call->response;
  auto start = [&]() -> Status {
    grpc::ByteBuffer bytes(*request_bytes);  // shares the slices; Deserialize consumes its input
    if (!grpc::SerializationTraits<tensorflow::serving::PredictRequest>::Deserialize(
             &bytes, &call->request).ok()) {
      return InvalidArgument("the request body is not a valid tensorflow.serving.PredictRequest (" +
                             std::to_string(request_bytes->Length()) + " bytes)");
    }
    TERN_ASSIGN_OR_RETURN(ModelRef ref, ToModelRef(request->model_spec()));
    ref.deadline = RunOptionsFor(context).deadline;  // bounds a wait for a model at zero
    TERN_ASSIGN_OR_RETURN(ServableHandle servable, service_->GetServable(ref));
    TERN_ASSIGN_OR_RETURN(const Signature* signature,
                     InferenceCore::GetSignature(servable, request->model_spec().signature_name()));
    std::map<std::string, Tensor> inputs;
    for (const auto& [name, proto] : request->inputs()) {
      auto tensor = TensorFromProto(proto);
      if (!tensor.ok()) return tensor.status().WithContext("input '" + name + "'");
      inputs.emplace(name, std::move(tensor).value());
    }
    std::vector<std::string> filter(request->output_filter().begin(), request->output_filter().end());
    service_->PredictAsync(
        servable, *signature, std::move(inputs), std::move(filter), RunOptionsFor(context),
        [servable, signature_name = signature->name, response,
         finish](StatusOr<std::map<std::string, Tensor>> outputs) {
          if (!outputs.ok()) return finish(outputs.status());
          auto* spec = response->mutable_model_spec();
          spec->set_name(servable->model_name);
          spec->mutable_version()->set_value(servable->version);
          spec->set_signature_name(signature_name);
          for (const auto& [name, tensor] : *outputs) {
            TensorToProto(tensor, &(*response->mutable_outputs())[name]);
          }
          finish(Status::Ok());
        });
    return Status::Ok();
  };
  Status started = start();
  if (!started.ok()) finish(started);
  return reactor;
}

namespace {

// The metrics of an examples RPC, keyed by the model spec it names.
template <typename Request>
std::function<void(const Request&, const grpc::Status&)> ObserveExamplesRpc(
    const RequestMetrics* metrics, std::string_view method,
    const tensorflow::serving::ModelSpec& (*spec_of)(const Request&)) {
  auto observer = std::make_shared<RequestMetrics::Observer>(metrics, "grpc", method);
  return [observer, spec_of](const Request& request, const grpc::Status& status) {
    const auto& spec = spec_of(request);
    std::optional<int64_t> version;
    if (spec.has_version()) version = spec.version().value();
    observer->Finish(spec.name(), version, FromGrpcStatusCode(status.error_code()));
  };
}

template <typename Request>
const tensorflow::serving::ModelSpec& SpecOf(const Request& request) {
  return request.model_spec();
}

const tensorflow::serving::ModelSpec& FirstTaskSpec(
    const tensorflow::serving::MultiInferenceRequest& request) {
  return request.tasks_size() > 0 ? request.tasks(0).model_spec()
                                  : tensorflow::serving::ModelSpec::default_instance();
}

// Classify and Regress differ only in the runner and the result field.
template <typename Request, typename Response, typename Runner>
Status StartExamplesRpc(InferenceCore* service,
                        std::shared_ptr<UnaryCall<Request, Response>> call, Runner runner) {
  const Request& request = call->request;
  TERN_ASSIGN_OR_RETURN(ModelRef ref, ToModelRef(request.model_spec()));
  ref.deadline = call->options.deadline;  // bounds a wait for a model at zero
  TERN_ASSIGN_OR_RETURN(ServableHandle servable, service->GetServable(ref));
  TERN_ASSIGN_OR_RETURN(const Signature* signature,
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

}  // namespace

grpc::ServerUnaryReactor* GrpcPredictionService::Classify(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request_bytes,
                                                          grpc::ByteBuffer* response_bytes) {
  using Request = tensorflow::serving::ClassificationRequest;
  using Response = tensorflow::serving::ClassificationResponse;
  return ServeRawUnary<Request, Response>(
      context, request_bytes, response_bytes, "tensorflow.serving.ClassificationRequest",
      ObserveExamplesRpc<Request>(metrics_, "Classify", &SpecOf<Request>),
      [this](std::shared_ptr<UnaryCall<Request, Response>> call) -> Status {
        // Once the drain began, the call is held (its client waiting) and refused UNAVAILABLE.
        if (gate_ != nullptr && !gate_->AdmitAsync("Classify", [call](Status s) { call->finish(s); })) {
          return Status::Ok();
        }
        return StartExamplesRpc(service_, std::move(call), RunClassify);
      });
}

grpc::ServerUnaryReactor* GrpcPredictionService::Regress(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request_bytes,
                                                         grpc::ByteBuffer* response_bytes) {
  using Request = tensorflow::serving::RegressionRequest;
  using Response = tensorflow::serving::RegressionResponse;
  return ServeRawUnary<Request, Response>(
      context, request_bytes, response_bytes, "tensorflow.serving.RegressionRequest",
      ObserveExamplesRpc<Request>(metrics_, "Regress", &SpecOf<Request>),
      [this](std::shared_ptr<UnaryCall<Request, Response>> call) -> Status {
        // Once the drain began, the call is held (its client waiting) and refused UNAVAILABLE.
        if (gate_ != nullptr && !gate_->AdmitAsync("Regress", [call](Status s) { call->finish(s); })) {
          return Status::Ok();
        }
        return StartExamplesRpc(service_, std::move(call), RunRegress);
      });
}

grpc::ServerUnaryReactor* GrpcPredictionService::MultiInference(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response_bytes) {
  using Request = tensorflow::serving::MultiInferenceRequest;
  using Response = tensorflow::serving::MultiInferenceResponse;
  return ServeRawUnary<Request, Response>(
      context, request_bytes, response_bytes, "tensorflow.serving.MultiInferenceRequest",
      ObserveExamplesRpc<Request>(metrics_, "MultiInference", &FirstTaskSpec),
      [this](std::shared_ptr<UnaryCall<Request, Response>> call) -> Status {
        // Once the drain began, the call is held (its client waiting) and refused UNAVAILABLE.
        if (gate_ != nullptr && !gate_->AdmitAsync("MultiInference", [call](Status s) { call->finish(s); })) {
          return Status::Ok();
        }
        const Request& request = call->request;
        if (request.tasks().empty()) return InvalidArgument("MultiInferenceRequest has no tasks");
        TERN_ASSIGN_OR_RETURN(ModelRef ref, ToModelRef(request.tasks(0).model_spec()));
        ref.deadline = call->options.deadline;
        TERN_ASSIGN_OR_RETURN(ServableHandle servable, service_->GetServable(ref));
        RunMultiInference(*service_, servable, request, call->options,
                          [call](StatusOr<Response> response) {
                            if (!response.ok()) return call->finish(response.status());
                            call->response = std::move(response).value();
                            call->finish(Status::Ok());
                          });
        return Status::Ok();
      });
}

// Minimal signature_def metadata so that perf_analyzer --service-kind=tfserving (the batching
// benchmark) can read the inputs. The api branch replaces this with the full implementation.
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
