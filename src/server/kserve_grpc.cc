#include "server/kserve_grpc.h"

#include "server/kserve_tensor.h"
#include "server/status_codes.h"

namespace tern {
namespace {

// Per tensor, as KServe/Triton bound it: more elements than this is refused before allocating.
constexpr int64_t kMaxElements = int64_t{1} << 31;

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

std::string SignatureParameter(const google::protobuf::Map<std::string, inference::InferParameter>& p) {
  auto it = p.find("signature_name");
  return it == p.end() ? "" : it->second.string_param();
}

StatusOr<V2InferRequest> ParseInferRequest(const inference::ModelInferRequest& request) {
  V2InferRequest out;
  ASSIGN_OR_RETURN(out.model, KServeService::ParseModelRef(request.model_name(), request.model_version()));
  out.signature_name = SignatureParameter(request.parameters());
  const bool raw = request.raw_input_contents_size() > 0;
  if (raw && request.raw_input_contents_size() != request.inputs_size()) {
    return InvalidArgument("raw_input_contents has " + std::to_string(request.raw_input_contents_size()) +
                           " entries but the request has " + std::to_string(request.inputs_size()) +
                           " inputs; expected one per input");
  }
  for (int i = 0; i < request.inputs_size(); ++i) {
    const auto& input = request.inputs(i);
    const std::string what = "input '" + input.name() + "'";
    ASSIGN_OR_RETURN(DataType dtype, V2DatatypeFromName(input.datatype()));
    ASSIGN_OR_RETURN(TensorShape shape,
                     V2Shape({input.shape().begin(), input.shape().end()}, kMaxElements, what));
    Tensor tensor;
    if (raw) {
      ASSIGN_OR_RETURN(tensor, TensorFromRaw(dtype, shape, request.raw_input_contents(i), what));
    } else {
      ASSIGN_OR_RETURN(tensor, TensorFromContents(dtype, shape, input.contents(), what));
    }
    if (!out.inputs.emplace(input.name(), std::move(tensor)).second) {
      return InvalidArgument("input '" + input.name() + "' is given twice");
    }
  }
  for (const auto& output : request.outputs()) out.outputs.push_back(output.name());
  return out;
}

}  // namespace

grpc::Status GrpcInferenceService::ServerLive(grpc::ServerContext*, const inference::ServerLiveRequest*,
                                              inference::ServerLiveResponse* response) {
  response->set_live(true);
  return grpc::Status::OK;
}

grpc::Status GrpcInferenceService::ServerReady(grpc::ServerContext*, const inference::ServerReadyRequest*,
                                               inference::ServerReadyResponse* response) {
  response->set_ready(service_->ServerReady());
  return grpc::Status::OK;
}

grpc::Status GrpcInferenceService::ModelReady(grpc::ServerContext* context,
                                              const inference::ModelReadyRequest* request,
                                              inference::ModelReadyResponse* response) {
  auto run = [&]() -> Status {
    RETURN_IF_ERROR(Admit(gate_, "ModelReady", context));
    ASSIGN_OR_RETURN(ModelRef ref, KServeService::ParseModelRef(request->name(), request->version()));
    ASSIGN_OR_RETURN(bool ready, service_->ModelReady(ref));
    response->set_ready(ready);
    return Status::Ok();
  };
  return ToGrpcStatus(run());
}

grpc::Status GrpcInferenceService::ServerMetadata(grpc::ServerContext*,
                                                  const inference::ServerMetadataRequest*,
                                                  inference::ServerMetadataResponse* response) {
  response->set_name(KServeService::kServerName);
  response->set_version(KServeService::kServerVersion);
  response->add_extensions("binary_tensor_data");
  return grpc::Status::OK;
}

grpc::Status GrpcInferenceService::ModelMetadata(grpc::ServerContext* context,
                                                 const inference::ModelMetadataRequest* request,
                                                 inference::ModelMetadataResponse* response) {
  auto run = [&]() -> Status {
    RETURN_IF_ERROR(Admit(gate_, "ModelMetadata", context));
    ASSIGN_OR_RETURN(ModelRef ref, KServeService::ParseModelRef(request->name(), request->version()));
    ASSIGN_OR_RETURN(V2ModelMetadata m, service_->ModelMetadata(ref));
    response->set_name(m.name);
    for (const auto& v : m.versions) response->add_versions(v);
    response->set_platform(m.platform);
    for (auto [list, out] : {std::pair{&m.inputs, response->mutable_inputs()},
                             std::pair{&m.outputs, response->mutable_outputs()}}) {
      for (const auto& t : *list) {
        auto* meta = out->Add();
        meta->set_name(t.name);
        meta->set_datatype(t.datatype);
        for (int64_t d : t.shape) meta->add_shape(d);
      }
    }
    return Status::Ok();
  };
  return ToGrpcStatus(run());
}

grpc::Status GrpcInferenceService::ModelInfer(grpc::ServerContext* context,
                                              const inference::ModelInferRequest* request,
                                              inference::ModelInferResponse* response) {
  auto run = [&]() -> Status {
    RETURN_IF_ERROR(Admit(gate_, "ModelInfer", context));
    ASSIGN_OR_RETURN(V2InferRequest parsed, ParseInferRequest(*request));
    ASSIGN_OR_RETURN(V2InferResult result, service_->Infer(parsed, RunOptionsFor(context)));
    response->set_model_name(result.model_name);
    response->set_model_version(std::to_string(result.version));
    response->set_id(request->id());
    for (const auto& [name, tensor] : result.outputs) {
      auto* out = response->add_outputs();
      out->set_name(name);
      ASSIGN_OR_RETURN(*out->mutable_datatype(), V2DatatypeName(tensor.dtype()));
      for (int64_t d : tensor.shape().dims()) out->add_shape(d);
      response->add_raw_output_contents(TensorToRaw(tensor));
    }
    return Status::Ok();
  };
  return ToGrpcStatus(run());
}

grpc::Status GrpcInferenceService::ModelConfig(grpc::ServerContext* context,
                                               const inference::ModelConfigRequest* request,
                                               inference::ModelConfigResponse* response) {
  auto run = [&]() -> Status {
    RETURN_IF_ERROR(Admit(gate_, "ModelConfig", context));
    ASSIGN_OR_RETURN(ModelRef ref, KServeService::ParseModelRef(request->name(), request->version()));
    ASSIGN_OR_RETURN(V2ModelConfig c, service_->ModelConfig(ref));
    inference::ModelConfig* config = response->mutable_config();
    config->set_name(c.name);
    config->set_platform(c.platform);
    config->set_backend(c.backend);
    config->set_max_batch_size(c.max_batch_size);
    auto data_type = [](const std::string& name) -> StatusOr<inference::DataType> {
      inference::DataType type;
      if (!inference::DataType_Parse(name, &type)) return Internal("no Triton data type " + name);
      return type;
    };
    for (const auto& t : c.inputs) {
      auto* in = config->add_input();
      in->set_name(t.name);
      ASSIGN_OR_RETURN(inference::DataType type, data_type(t.datatype));
      in->set_data_type(type);
      for (int64_t d : t.shape) in->add_dims(d);
    }
    for (const auto& t : c.outputs) {
      auto* out = config->add_output();
      out->set_name(t.name);
      ASSIGN_OR_RETURN(inference::DataType type, data_type(t.datatype));
      out->set_data_type(type);
      for (int64_t d : t.shape) out->add_dims(d);
    }
    return Status::Ok();
  };
  return ToGrpcStatus(run());
}

}  // namespace tern
