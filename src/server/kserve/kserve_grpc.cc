#include "server/kserve/kserve_grpc.h"

#include "server/grpc/grpc_status.h"
#include "server/grpc/grpc_unary_call.h"
#include "server/kserve/kserve_tensor.h"
#include "server/kserve/shared_memory.h"

namespace tern {
namespace {

// Per tensor, as KServe/Triton bound it: more elements than this is refused before allocating.
constexpr int64_t kMaxElements = int64_t{1} << 31;

std::string SignatureParameter(
    const google::protobuf::Map<std::string, inference::InferParameter>& p) {
  auto it = p.find("signature_name");
  return it == p.end() ? "" : it->second.string_param();
}

// An int64 (or uint64) parameter, as tritonclient sends shared_memory_offset and _byte_size.
StatusOr<std::optional<uint64_t>> SizeParameter(
    const google::protobuf::Map<std::string, inference::InferParameter>& p, const char* key,
    const std::string& what) {
  auto it = p.find(key);
  if (it == p.end()) return std::optional<uint64_t>();
  switch (it->second.parameter_choice_case()) {
    case inference::InferParameter::kInt64Param:
      if (it->second.int64_param() < 0) break;
      return std::optional<uint64_t>(it->second.int64_param());
    case inference::InferParameter::kUint64Param:
      return std::optional<uint64_t>(it->second.uint64_param());
    default: break;
  }
  return InvalidArgument(what + ": parameter '" + key +
                         "' must be a non-negative int64_param or uint64_param");
}

// Triton's shared-memory parameters of an input or output; nullopt when it names no region.
StatusOr<std::optional<SharedMemoryParameters>> ReadSharedMemoryParameters(
    const google::protobuf::Map<std::string, inference::InferParameter>& p,
    const std::string& what) {
  auto region = p.find("shared_memory_region");
  if (region == p.end()) return std::optional<SharedMemoryParameters>();
  if (region->second.parameter_choice_case() != inference::InferParameter::kStringParam) {
    return InvalidArgument(what + ": parameter 'shared_memory_region' must be a string_param");
  }
  SharedMemoryParameters out;
  out.region = region->second.string_param();
  TERN_ASSIGN_OR_RETURN(out.offset, SizeParameter(p, "shared_memory_offset", what));
  TERN_ASSIGN_OR_RETURN(out.byte_size, SizeParameter(p, "shared_memory_byte_size", what));
  return std::optional<SharedMemoryParameters>(std::move(out));
}

StatusOr<V2InferRequest> ParseInferRequest(const inference::ModelInferRequest& request,
                                           const SharedMemoryRegistry& registry) {
  V2InferRequest out;
  TERN_ASSIGN_OR_RETURN(
      out.model, KServeService::ParseModelRef(request.model_name(), request.model_version()));
  out.signature_name = SignatureParameter(request.parameters());
  // raw_input_contents holds one entry per input not in shared memory, in input order.
  int in_request = 0;
  for (const auto& input : request.inputs()) {
    in_request += input.parameters().count("shared_memory_region") == 0 ? 1 : 0;
  }
  const bool raw = request.raw_input_contents_size() > 0;
  if (raw && request.raw_input_contents_size() != in_request) {
    return InvalidArgument("raw_input_contents has " +
                           std::to_string(request.raw_input_contents_size()) +
                           " entries but the request has " + std::to_string(in_request) +
                           " inputs outside shared memory; expected one per such input");
  }
  int raw_index = 0;
  for (int i = 0; i < request.inputs_size(); ++i) {
    const auto& input = request.inputs(i);
    const std::string what = "input '" + input.name() + "'";
    TERN_ASSIGN_OR_RETURN(auto shared_memory, ReadSharedMemoryParameters(input.parameters(), what));
    TERN_ASSIGN_OR_RETURN(DataType dtype, V2DatatypeFromName(input.datatype()));
    TERN_ASSIGN_OR_RETURN(TensorShape shape, V2Shape({input.shape().begin(), input.shape().end()},
                                                     kMaxElements, what));
    Tensor tensor;
    if (shared_memory) {
      TERN_ASSIGN_OR_RETURN(auto slice,
                            ResolveSharedMemory(registry, *shared_memory, /*is_input=*/true, what));
      TERN_ASSIGN_OR_RETURN(tensor, TensorFromSharedMemory(slice, dtype, shape, what));
    } else if (raw) {
      TERN_ASSIGN_OR_RETURN(
          tensor, TensorFromRaw(dtype, shape, request.raw_input_contents(raw_index++), what));
    } else {
      TERN_ASSIGN_OR_RETURN(tensor, TensorFromContents(dtype, shape, input.contents(), what));
    }
    if (!out.inputs.emplace(input.name(), std::move(tensor)).second) {
      return InvalidArgument("input '" + input.name() + "' is given twice");
    }
  }
  for (const auto& output : request.outputs()) {
    const std::string what = "output '" + output.name() + "'";
    out.outputs.push_back(output.name());
    TERN_ASSIGN_OR_RETURN(auto shared_memory,
                          ReadSharedMemoryParameters(output.parameters(), what));
    if (shared_memory) {
      TERN_ASSIGN_OR_RETURN(
          out.output_shared_memory[output.name()],
          ResolveSharedMemory(registry, *shared_memory, /*is_input=*/false, what));
    }
    auto k = output.parameters().find("classification");
    if (k == output.parameters().end()) continue;
    if (k->second.parameter_choice_case() != inference::InferParameter::kInt64Param) {
      return InvalidArgument("output '" + output.name() +
                             "': the 'classification' parameter must be an int64_param");
    }
    if (k->second.int64_param() != 0) out.classification[output.name()] = k->second.int64_param();
  }
  return out;
}

Status FillInferResponse(const StatusOr<V2InferResult>& result,
                         inference::ModelInferResponse* response, const std::string& id) {
  if (!result.ok()) return result.status();
  response->set_model_name(result->model_name);
  response->set_model_version(std::to_string(result->version));
  response->set_id(id);
  for (const auto& [name, tensor] : result->outputs) {
    auto* out = response->add_outputs();
    out->set_name(name);
    TERN_ASSIGN_OR_RETURN(*out->mutable_datatype(), V2DatatypeName(tensor.dtype()));
    for (int64_t d : tensor.shape().dims()) out->add_shape(d);
    if (result->shared_memory_outputs.count(name) > 0) {
      // Written into shared memory: an empty raw entry keeps raw_output_contents one per
      // output, as Triton answers.
      response->add_raw_output_contents();
      continue;
    }
    response->add_raw_output_contents(TensorToRaw(tensor));
  }
  return Status::Ok();
}

// A synchronous model RPC: admitted by the drain gate (held while draining), the model named by
// (name, version) parsed, then body(ref).
template <typename Body>
grpc::Status ServeModelRpc(GrpcDrainGate* gate, std::string_view method,
                           const grpc::ServerContext* context, const std::string& name,
                           const std::string& version, Body body) {
  auto run = [&]() -> Status {
    TERN_RETURN_IF_ERROR(Admit(gate, method, context));
    TERN_ASSIGN_OR_RETURN(ModelRef ref, KServeService::ParseModelRef(name, version));
    return body(ref);
  };
  return ToGrpcStatus(run());
}

}  // namespace

grpc::Status GrpcInferenceService::ServerLive(grpc::ServerContext*,
                                              const inference::ServerLiveRequest*,
                                              inference::ServerLiveResponse* response) {
  response->set_live(true);
  return grpc::Status::OK;
}

grpc::Status GrpcInferenceService::ServerReady(grpc::ServerContext*,
                                               const inference::ServerReadyRequest*,
                                               inference::ServerReadyResponse* response) {
  response->set_ready(service_->ServerReady());
  return grpc::Status::OK;
}

grpc::Status GrpcInferenceService::ModelReady(grpc::ServerContext* context,
                                              const inference::ModelReadyRequest* request,
                                              inference::ModelReadyResponse* response) {
  return ServeModelRpc(gate_, "ModelReady", context, request->name(), request->version(),
                       [&](const ModelRef& ref) -> Status {
                         TERN_ASSIGN_OR_RETURN(bool ready, service_->ModelReady(ref));
                         response->set_ready(ready);
                         return Status::Ok();
                       });
}

grpc::Status GrpcInferenceService::ServerMetadata(grpc::ServerContext*,
                                                  const inference::ServerMetadataRequest*,
                                                  inference::ServerMetadataResponse* response) {
  response->set_name(KServeService::kServerName);
  response->set_version(KServeService::kServerVersion);
  for (const auto& extension : KServeService::Extensions()) response->add_extensions(extension);
  return grpc::Status::OK;
}

grpc::Status GrpcInferenceService::ModelMetadata(grpc::ServerContext* context,
                                                 const inference::ModelMetadataRequest* request,
                                                 inference::ModelMetadataResponse* response) {
  return ServeModelRpc(
      gate_, "ModelMetadata", context, request->name(), request->version(),
      [&](const ModelRef& ref) -> Status {
        TERN_ASSIGN_OR_RETURN(V2ModelMetadata m, service_->ModelMetadata(ref));
        response->set_name(m.name);
        for (const auto& v : m.versions) response->add_versions(v);
        response->set_platform(m.platform);
        response->set_runtime(m.runtime);
        response->set_runtime_reason(m.runtime_reason);
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
      });
}

grpc::ServerUnaryReactor* GrpcInferenceService::ModelInfer(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* request_bytes,
                                                           grpc::ByteBuffer* response_bytes) {
  using Request = inference::ModelInferRequest;
  using Response = inference::ModelInferResponse;
  return ServeRawUnary<Request, Response>(
      context, request_bytes, response_bytes, {"ModelInfer", "inference.ModelInferRequest", gate_},
      nullptr, [this](std::shared_ptr<UnaryCall<Request, Response>> call) -> Status {
        TERN_ASSIGN_OR_RETURN(V2InferRequest parsed,
                              ParseInferRequest(call->request, service_->shared_memory()));
        service_->InferAsync(
            std::move(parsed), call->options, [call](StatusOr<V2InferResult> result) {
              call->finish(FillInferResponse(result, &call->response, call->request.id()));
            });
        return Status::Ok();
      });
}

grpc::Status GrpcInferenceService::ModelConfig(grpc::ServerContext* context,
                                               const inference::ModelConfigRequest* request,
                                               inference::ModelConfigResponse* response) {
  return ServeModelRpc(
      gate_, "ModelConfig", context, request->name(), request->version(),
      [&](const ModelRef& ref) -> Status {
        TERN_ASSIGN_OR_RETURN(V2ModelConfig c, service_->ModelConfig(ref));
        inference::ModelConfig* config = response->mutable_config();
        config->set_name(c.name);
        config->set_platform(c.platform);
        config->set_backend(c.backend);
        config->set_max_batch_size(c.max_batch_size);
        auto data_type = [](const std::string& name) -> StatusOr<inference::DataType> {
          inference::DataType type;
          if (!inference::DataType_Parse(name, &type))
            return Internal("no Triton data type " + name);
          return type;
        };
        for (const auto& t : c.inputs) {
          auto* in = config->add_input();
          in->set_name(t.name);
          TERN_ASSIGN_OR_RETURN(inference::DataType type, data_type(t.datatype));
          in->set_data_type(type);
          for (int64_t d : t.shape) in->add_dims(d);
        }
        for (const auto& t : c.outputs) {
          auto* out = config->add_output();
          out->set_name(t.name);
          TERN_ASSIGN_OR_RETURN(inference::DataType type, data_type(t.datatype));
          out->set_data_type(type);
          for (int64_t d : t.shape) out->add_dims(d);
        }
        if (c.dynamic_batching) {
          auto* dynamic = config->mutable_dynamic_batching();
          for (int64_t size : c.dynamic_batching->preferred_batch_size) {
            dynamic->add_preferred_batch_size(static_cast<int32_t>(size));
          }
          dynamic->set_max_queue_delay_microseconds(
              static_cast<uint64_t>(c.dynamic_batching->max_queue_delay_microseconds));
        }
        return Status::Ok();
      });
}

}  // namespace tern
