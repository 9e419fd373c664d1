#include "server/kserve/kserve_rest.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/codec/json_internal.h"
#include "server/codec/json_tensor.h"
#include "server/kserve/kserve_rest_infer_request.h"
#include "server/kserve/kserve_rest_repository.h"
#include "server/kserve/kserve_rest_settings.h"
#include "server/kserve/kserve_rest_shared_memory.h"
#include "server/kserve/kserve_rest_statistics.h"
#include "server/kserve/kserve_tensor.h"
#include "server/kserve/shared_memory.h"

namespace tern {
namespace {

using json_internal::Json;

RestResponse Ok(std::string body) {
  RestResponse r;
  r.body = std::move(body);
  return r;
}

std::string Quote(std::string_view s) { return Json(std::string(s)).dump(); }

// Writes the elements of a tensor as a flat JSON list.
std::string DataJson(const Tensor& t) {
  std::string out = "[";
  const int64_t n = t.num_elements();
  auto sep = [&](int64_t i) {
    if (i > 0) out += ',';
  };
  switch (t.dtype()) {
    case tensorflow::DT_FLOAT:
      for (int64_t i = 0; i < n; ++i) {
        sep(i);
        out += FormatJsonFloat(t.flat<float>()[i]);
      }
      break;
    case tensorflow::DT_DOUBLE:
      for (int64_t i = 0; i < n; ++i) {
        sep(i);
        out += FormatJsonDouble(t.flat<double>()[i]);
      }
      break;
    case tensorflow::DT_STRING:
      for (int64_t i = 0; i < n; ++i) {
        sep(i);
        const std::string& s = t.flat<std::string>()[i];
        out += IsValidUtf8(s) ? Quote(s) : Quote(Base64Encode(s));
      }
      break;
    default: {
      Status ignored = json_internal::VisitJsonDtype(t.dtype(), [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        if constexpr (std::is_same_v<T, bool>) {
          for (int64_t i = 0; i < n; ++i) {
            sep(i);
            out += t.flat<bool>()[i] ? "true" : "false";
          }
        } else if constexpr (std::is_integral_v<T>) {
          for (int64_t i = 0; i < n; ++i) {
            sep(i);
            out += std::to_string(t.flat<T>()[i]);
          }
        }
        return Status::Ok();
      });
      (void)ignored;
    }
  }
  out += ']';
  return out;
}

std::string ShapeJson(std::span<const int64_t> dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) out += (i ? "," : "") + std::to_string(dims[i]);
  return out + "]";
}

// The parts of /v2/models/{m}[/versions/{v}][/{action}].
struct V2Path {
  std::string model, version, action;
};

StatusOr<V2Path> ParseModelsPath(std::string_view rest) {
  V2Path p;
  std::vector<std::string_view> parts;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (parts.empty() || parts[0].empty()) return NotFound("missing model name in the path");
  p.model = std::string(parts[0]);
  size_t i = 1;
  if (parts.size() >= 3 && parts[1] == "versions") {
    p.version = std::string(parts[2]);
    i = 3;
  }
  if (parts.size() == i + 1) {
    p.action = std::string(parts[i]);
  } else if (parts.size() != i) {
    return NotFound("unknown v2 path");
  }
  return p;
}

// The infer response: JSON header, then the outputs asked for as binary (always for FP16/BF16,
// which JSON cannot carry) after it. `id_json` is the request's id as JSON, or "".
StatusOr<RestResponse> InferResponse(const V2InferResult& result, const std::string& id_json,
                                     const BinaryOutputs& as_binary) {
  std::string json = "{\"model_name\":" + Quote(result.model_name) +
                     ",\"model_version\":" + Quote(std::to_string(result.version));
  if (!id_json.empty()) json += ",\"id\":" + id_json;
  json += ",\"outputs\":[";
  std::string tail;
  for (size_t i = 0; i < result.outputs.size(); ++i) {
    const auto& [name, tensor] = result.outputs[i];
    TERN_ASSIGN_OR_RETURN(std::string datatype, V2DatatypeName(tensor.dtype()));
    json += std::string(i ? "," : "") + "{\"name\":" + Quote(name) +
            ",\"datatype\":" + Quote(datatype) + ",\"shape\":" + ShapeJson(tensor.shape().dims());
    if (result.shared_memory_outputs.count(name) > 0) {
      // In shared memory: datatype and shape only, neither data nor parameters, as Triton
      // answers it (Triton's C++ client reads any output 'parameters' as binary data).
      json += "}";
    } else if (as_binary(name) || tensor.dtype() == tensorflow::DT_HALF ||
               tensor.dtype() == tensorflow::DT_BFLOAT16) {
      std::string raw = TensorToRaw(tensor);
      json += ",\"parameters\":{\"binary_data_size\":" + std::to_string(raw.size()) + "}}";
      tail += raw;
    } else {
      json += ",\"data\":" + DataJson(tensor) + "}";
    }
  }
  json += "]}";
  RestResponse r;
  if (!tail.empty()) {
    r.headers.emplace_back("Inference-Header-Content-Length", std::to_string(json.size()));
    r.content_type = "application/octet-stream";
    r.body = json + tail;
  } else {
    r.body = std::move(json);
  }
  return r;
}

}  // namespace

void KServeRestApi::HandleAsync(const RestRequest& request, RestHandler::RestDone done) const {
  std::string_view path = request.target.substr(0, request.target.find('?'));
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const bool get = request.method == "GET";
  if (get && path == "/v2") {
    Json extensions = KServeService::Extensions();
    return done(Ok(std::string("{\"name\":\"") + KServeService::kServerName + "\",\"version\":\"" +
                   KServeService::kServerVersion + "\",\"extensions\":" + extensions.dump() + "}"));
  }
  // Not ready is a 4xx, as the Open Inference Protocol says and Triton answers (400).
  if (get && path == "/v2/health/live") return done(Ok("{\"live\":true}"));
  if (get && path == "/v2/health/ready") {
    if (service_->ServerReady()) return done(Ok("{\"ready\":true}"));
    return done(ErrorResponse(
        FailedPrecondition(service_->draining() ? "the server is shutting down"
                                                : "not every model has an available version yet")));
  }
  if (RestResponse repository; HandleRepositoryRest(*service_, request, path, &repository)) {
    return done(std::move(repository));
  }
  if (RestResponse shm; HandleSharedMemoryRest(*service_, request, path, &shm)) {
    return done(std::move(shm));
  }
  if (RestResponse settings; HandleSettingsRest(*service_, request, path, &settings)) {
    return done(std::move(settings));
  }
  if (get && path == "/v2/models/stats") return done(RestModelStatistics(*service_, "", ""));
  constexpr std::string_view kModels = "/v2/models/";
  if (path.substr(0, kModels.size()) != kModels) {
    return done(ErrorResponse(
        NotFound("no v2 endpoint " + std::string(request.method) + " " + std::string(path))));
  }
  auto parsed = ParseModelsPath(path.substr(kModels.size()));
  if (!parsed.ok()) {
    return done(ErrorResponse(NotFound(parsed.status().message() + ": " + std::string(path))));
  }
  auto ref = KServeService::ParseModelRef(parsed->model, parsed->version);
  if (!ref.ok()) return done(ErrorResponse(ref.status()));
  if (get && parsed->action.empty()) return done(Metadata(*ref));
  if (get && parsed->action == "ready") {
    auto ready = service_->ModelReady(*ref);
    if (!ready.ok()) return done(ErrorResponse(ready.status()));
    if (*ready) return done(Ok("{\"name\":" + Quote(ref->name) + ",\"ready\":true}"));
    return done(ErrorResponse(FailedPrecondition(
        "model " + ref->name +
        (ref->version ? " version " + std::to_string(*ref->version) : std::string()) +
        " is not ready")));
  }
  if (get && parsed->action == "config") return done(Config(*ref));
  if (get && parsed->action == "stats") {
    return done(RestModelStatistics(*service_, parsed->model, parsed->version));
  }
  if (request.method == "POST" && parsed->action == "infer")
    return Infer(*ref, request, std::move(done));
  return done(ErrorResponse(
      NotFound("no v2 endpoint " + std::string(request.method) + " " + std::string(path))));
}

RestResponse KServeRestApi::Metadata(const ModelRef& ref) const {
  auto m = service_->ModelMetadata(ref);
  if (!m.ok()) return ErrorResponse(m.status());
  std::string out = "{\"name\":" + Quote(m->name) + ",\"versions\":[";
  for (size_t i = 0; i < m->versions.size(); ++i) out += (i ? "," : "") + Quote(m->versions[i]);
  out += "],\"platform\":" + Quote(m->platform);
  for (auto [key, list] : {std::pair{"inputs", &m->inputs}, std::pair{"outputs", &m->outputs}}) {
    out += std::string(",\"") + key + "\":[";
    for (size_t i = 0; i < list->size(); ++i) {
      const auto& t = (*list)[i];
      out += std::string(i ? "," : "") + "{\"name\":" + Quote(t.name) +
             ",\"datatype\":" + Quote(t.datatype) + ",\"shape\":" + ShapeJson(t.shape) + "}";
    }
    out += "]";
  }
  // Tern's extension (grpc_predict_v2.proto's runtime fields); clients ignore unknown keys.
  out += ",\"runtime\":" + Quote(m->runtime) + ",\"runtime_reason\":" + Quote(m->runtime_reason);
  return Ok(out + "}");
}

// Triton's JSON form of the model config (the protobuf message with its field names).
RestResponse KServeRestApi::Config(const ModelRef& ref) const {
  auto c = service_->ModelConfig(ref);
  if (!c.ok()) return ErrorResponse(c.status());
  std::string out = "{\"name\":" + Quote(c->name) + ",\"platform\":" + Quote(c->platform) +
                    ",\"backend\":" + Quote(c->backend) +
                    ",\"max_batch_size\":" + std::to_string(c->max_batch_size);
  for (auto [key, list] : {std::pair{"input", &c->inputs}, std::pair{"output", &c->outputs}}) {
    out += std::string(",\"") + key + "\":[";
    for (size_t i = 0; i < list->size(); ++i) {
      const auto& t = (*list)[i];
      out += std::string(i ? "," : "") + "{\"name\":" + Quote(t.name) +
             ",\"data_type\":" + Quote(t.datatype) + ",\"dims\":" + ShapeJson(t.shape) + "}";
    }
    out += "]";
  }
  if (c->dynamic_batching) {
    out += ",\"dynamic_batching\":{\"preferred_batch_size\":" +
           ShapeJson(c->dynamic_batching->preferred_batch_size) +
           ",\"max_queue_delay_microseconds\":" +
           std::to_string(c->dynamic_batching->max_queue_delay_microseconds) + "}";
  }
  return Ok(out + "}");
}

// A raw binary request (Inference-Header-Content-Length: 0, as Triton defines it): the body is
// the bytes of the only input of the model's serving signature, whose datatype and shape come
// from the signature (one variable dimension is worked out from the byte count). Every output
// is answered as binary data, since the client sent no JSON to ask otherwise.
void KServeRestApi::RawInfer(const ModelRef& ref, std::string_view body,
                             RestHandler::RestDone done) const {
  auto start = [&]() -> Status {
    TERN_ASSIGN_OR_RETURN(V2ModelMetadata meta, service_->ModelMetadata(ref));
    if (meta.inputs.size() != 1) {
      return InvalidArgument(
          "a raw binary request (Inference-Header-Content-Length: 0) needs a model "
          "with exactly one input; model " +
          meta.name + " has " + std::to_string(meta.inputs.size()) +
          "; send a JSON header instead");
    }
    const V2TensorMetadata& input = meta.inputs[0];
    const std::string what = "raw binary input '" + input.name + "'";
    TERN_ASSIGN_OR_RETURN(DataType dtype, V2DatatypeFromName(input.datatype));
    if (dtype == tensorflow::DT_STRING) {
      return InvalidArgument(what +
                             ": a BYTES input cannot be sent raw (its shape is not implied "
                             "by the byte count); send a JSON header");
    }
    std::vector<int64_t> dims = input.shape;
    int unknown = 0;
    int64_t known_elements = 1;
    for (int64_t d : dims) {
      if (d < 0)
        ++unknown;
      else
        known_elements *= d;
    }
    const int64_t element_size = static_cast<int64_t>(DataTypeSize(dtype));
    if (unknown > 1 || (unknown == 1 && known_elements == 0)) {
      return InvalidArgument(
          what + ": the model's shape " + ShapeJson(input.shape) +
          " has more than one unknown dimension, so a raw body cannot fix it; send "
          "a JSON header with the shape");
    }
    if (unknown == 1) {
      const int64_t row_bytes = known_elements * element_size;
      if (body.size() % row_bytes != 0) {
        return InvalidArgument(what + ": " + std::to_string(body.size()) +
                               " bytes is not a whole "
                               "number of " +
                               input.datatype + " tensors of shape " + ShapeJson(input.shape) +
                               " (" + std::to_string(row_bytes) +
                               " bytes per step of the unknown dimension)");
      }
      for (int64_t& d : dims) {
        if (d < 0) d = static_cast<int64_t>(body.size()) / row_bytes;
      }
    }
    TERN_ASSIGN_OR_RETURN(TensorShape shape, V2Shape(dims, options_.max_tensor_elements, what));
    V2InferRequest infer;
    infer.model = ref;
    TERN_ASSIGN_OR_RETURN(Tensor tensor, TensorFromRaw(dtype, shape, body, what));
    infer.inputs.emplace(input.name, std::move(tensor));
    service_->InferAsync(
        std::move(infer), RestRunOptions(options_.timeout_ms),
        [done](StatusOr<V2InferResult> result) {
          if (!result.ok()) return done(ErrorResponse(result.status()));
          auto response = InferResponse(*result, "", BinaryOutputs{.all = true, .named = {}});
          done(response.ok() ? std::move(response).value() : ErrorResponse(response.status()));
        });
    return Status::Ok();
  };
  if (Status started = start(); !started.ok()) done(ErrorResponse(started));
}

void KServeRestApi::Infer(const ModelRef& ref, const RestRequest& request,
                          RestHandler::RestDone done) const {
  auto body = SplitInferBody(request);
  if (!body.ok()) return done(ErrorResponse(body.status()));
  if (body->raw) return RawInfer(ref, request.body, std::move(done));
  auto parsed = ParseInferBody(*body, ref, options_.max_tensor_elements, service_->shared_memory());
  if (!parsed.ok()) return done(ErrorResponse(parsed.status()));
  // Everything the answer needs is moved out of the request: its body may be gone by then.
  service_->InferAsync(
      std::move(parsed->infer), RestRunOptions(options_.timeout_ms),
      [done = std::move(done), id = std::move(parsed->id_json),
       binary_outputs = std::move(parsed->binary_outputs)](StatusOr<V2InferResult> result) {
        if (!result.ok()) return done(ErrorResponse(result.status()));
        auto response = InferResponse(*result, id, binary_outputs);
        done(response.ok() ? std::move(response).value() : ErrorResponse(response.status()));
      });
}

}  // namespace tern
