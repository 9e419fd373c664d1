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
#include "server/kserve/kserve_rest_repository.h"
#include "server/kserve/kserve_rest_settings.h"
#include "server/kserve/kserve_rest_shared_memory.h"
#include "server/kserve/kserve_rest_statistics.h"
#include "server/kserve/kserve_tensor.h"
#include "server/kserve/shared_memory.h"

namespace tern {
namespace {

using json_internal::Json;

// Deeper nesting than any real tensor has; bounds the recursion over "data".
constexpr int kMaxDataDepth = 64;

RestResponse Ok(std::string body) {
  RestResponse r;
  r.body = std::move(body);
  return r;
}

std::string Quote(std::string_view s) { return Json(std::string(s)).dump(); }

// Appends the elements of a (possibly nested) JSON list to `out`, in row-major order.
Status Flatten(const Json& value, int depth, std::vector<const Json*>* out,
               const std::string& what) {
  if (depth > kMaxDataDepth) {
    return InvalidArgument(what + ": 'data' is nested more than " + std::to_string(kMaxDataDepth) +
                           " levels deep");
  }
  if (!value.is_array()) {
    out->push_back(&value);
    return Status::Ok();
  }
  for (const auto& v : value) TERN_RETURN_IF_ERROR(Flatten(v, depth + 1, out, what));
  return Status::Ok();
}

template <typename T>
Status ReadElement(const Json& v, size_t index, const std::string& what, T* out) {
  auto bad = [&](const std::string& expected) {
    return InvalidArgument(what + ": element " + std::to_string(index) + " is " +
                           json_internal::JsonKind(v) + " " + json_internal::JsonSnippet(v) +
                           "; expected " + expected);
  };
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) return bad("a boolean");
    *out = v.get<bool>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) return bad("a string");
    *out = v.get<std::string>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) return bad("a number");
    const double d = v.get<double>();
    if constexpr (std::is_same_v<T, float>) {
      if (std::isfinite(d) && !json_internal::RoundsToFiniteFloat(d))
        return bad("a number within FP32 range");
    }
    *out = static_cast<T>(d);
  } else {
    if (v.is_number_unsigned()) {
      const uint64_t u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<T>::max()))
        return bad("an integer within the datatype's range");
      *out = static_cast<T>(u);
    } else if (v.is_number_integer()) {
      const int64_t i = v.get<int64_t>();
      if (i < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
          (i > 0 &&
           static_cast<uint64_t>(i) > static_cast<uint64_t>(std::numeric_limits<T>::max()))) {
        return bad("an integer within the datatype's range");
      }
      *out = static_cast<T>(i);
    } else {
      return bad("an integer");
    }
  }
  return Status::Ok();
}

StatusOr<Tensor> TensorFromJsonData(DataType dtype, const TensorShape& shape, const Json& data,
                                    const std::string& what) {
  std::vector<const Json*> elements;
  TERN_RETURN_IF_ERROR(Flatten(data, 0, &elements, what));
  if (static_cast<int64_t>(elements.size()) != shape.num_elements()) {
    return InvalidArgument(what + ": shape " + shape.DebugString() + " needs " +
                           std::to_string(shape.num_elements()) + " elements, but 'data' has " +
                           std::to_string(elements.size()));
  }
  if (dtype == tensorflow::DT_HALF || dtype == tensorflow::DT_BFLOAT16) {
    return InvalidArgument(what + ": FP16 and BF16 tensors must be sent as binary data");
  }
  Tensor t(dtype, shape);
  Status status = json_internal::VisitJsonDtype(dtype, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    T* out = t.flat<T>();
    for (size_t i = 0; i < elements.size(); ++i) {
      TERN_RETURN_IF_ERROR(ReadElement<T>(*elements[i], i, what, &out[i]));
    }
    return Status::Ok();
  });
  TERN_RETURN_IF_ERROR(status);
  return t;
}

StatusOr<int64_t> ReadInt(const Json& obj, const char* key, const std::string& what) {
  auto it = obj.find(key);
  if (it == obj.end()) return int64_t{-1};
  if (!it->is_number_integer() || it->get<int64_t>() < 0) {
    return InvalidArgument(what + ": '" + key + "' must be a non-negative integer, got " +
                           json_internal::JsonSnippet(*it));
  }
  return it->get<int64_t>();
}

bool ReadBool(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

const Json& Parameters(const Json& obj) {
  static const Json* empty = new Json(Json::object());
  auto it = obj.find("parameters");
  return it != obj.end() && it->is_object() ? *it : *empty;
}

// Triton's shared-memory parameters of an input or output; nullopt when it names no region.
StatusOr<std::optional<SharedMemoryParameters>> ReadSharedMemoryParameters(
    const Json& parameters, const std::string& what) {
  auto region = parameters.find("shared_memory_region");
  if (region == parameters.end()) return std::optional<SharedMemoryParameters>();
  if (!region->is_string()) {
    return InvalidArgument(what + ": 'shared_memory_region' must be a string, got " +
                           json_internal::JsonSnippet(*region));
  }
  SharedMemoryParameters out;
  out.region = region->get<std::string>();
  TERN_ASSIGN_OR_RETURN(int64_t offset, ReadInt(parameters, "shared_memory_offset", what));
  TERN_ASSIGN_OR_RETURN(int64_t size, ReadInt(parameters, "shared_memory_byte_size", what));
  if (offset >= 0) out.offset = offset;
  if (size >= 0) out.byte_size = size;
  return std::optional<SharedMemoryParameters>(std::move(out));
}

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

std::string ShapeJson(const std::vector<int64_t>& dims) {
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

// Which outputs an infer answers as binary data: those whose 'parameters' say binary_data, else
// all of them when the request's binary_data_output is true.
struct BinaryOutputs {
  bool all = false;
  std::map<std::string, bool> named;

  bool operator()(const std::string& name) const {
    auto it = named.find(name);
    return it != named.end() ? it->second : all;
  }
};

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

// An infer request's body: the JSON header and the binary tensor data that follows it.
struct InferBody {
  std::string_view header;
  std::string_view binary;
  bool raw = false;  // Inference-Header-Content-Length: 0: the whole body is one raw input
};

StatusOr<InferBody> SplitInferBody(const RestRequest& request) {
  InferBody out{request.body, {}};
  const std::string_view text = request.inference_header_content_length;
  if (text.empty()) return out;
  uint64_t length = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgument("Inference-Header-Content-Length '" + std::string(text) +
                           "' is not a non-negative integer");
  }
  if (length == 0) {
    out.raw = true;
    return out;
  }
  if (length > request.body.size()) {
    return InvalidArgument("Inference-Header-Content-Length " + std::to_string(length) +
                           " exceeds the body size " + std::to_string(request.body.size()));
  }
  out.header = request.body.substr(0, length);
  out.binary = request.body.substr(length);
  return out;
}

// inputs[index]: its tensor comes from 'data', or from the binary data at *offset (advanced).
Status ReadInferInput(const Json& in, size_t index, std::string_view binary, size_t* offset,
                      int64_t max_elements, const SharedMemoryRegistry& registry,
                      V2InferRequest* infer) {
  if (!in.is_object()) {
    return InvalidArgument("inputs[" + std::to_string(index) + "] is not an object");
  }
  auto name = in.find("name");
  if (name == in.end() || !name->is_string()) {
    return InvalidArgument("inputs[" + std::to_string(index) + "] needs a string 'name'");
  }
  const std::string what = "input '" + name->get<std::string>() + "'";
  auto datatype = in.find("datatype");
  if (datatype == in.end() || !datatype->is_string()) {
    return InvalidArgument(what + " needs a string 'datatype'");
  }
  TERN_ASSIGN_OR_RETURN(DataType dtype, V2DatatypeFromName(datatype->get<std::string>()));
  auto shape_json = in.find("shape");
  if (shape_json == in.end() || !shape_json->is_array()) {
    return InvalidArgument(what + " needs a 'shape' list of integers");
  }
  std::vector<int64_t> dims;
  for (const auto& d : *shape_json) {
    if (!d.is_number_integer()) {
      return InvalidArgument(what + ": shape element " + json_internal::JsonSnippet(d) +
                             " is not an integer");
    }
    dims.push_back(d.get<int64_t>());
  }
  TERN_ASSIGN_OR_RETURN(TensorShape shape, V2Shape(dims, max_elements, what));
  TERN_ASSIGN_OR_RETURN(auto shared_memory, ReadSharedMemoryParameters(Parameters(in), what));
  TERN_ASSIGN_OR_RETURN(int64_t binary_size, ReadInt(Parameters(in), "binary_data_size", what));
  Tensor tensor;
  if (shared_memory) {
    if (binary_size >= 0 || in.contains("data")) {
      return InvalidArgument(what + " names a shared_memory_region and also carries data");
    }
    TERN_ASSIGN_OR_RETURN(auto slice,
                          ResolveSharedMemory(registry, *shared_memory, /*is_input=*/true, what));
    TERN_ASSIGN_OR_RETURN(tensor, TensorFromSharedMemory(slice, dtype, shape, what));
  } else if (binary_size >= 0) {
    if (static_cast<uint64_t>(binary_size) > binary.size() - *offset) {
      return InvalidArgument(what + ": binary_data_size " + std::to_string(binary_size) +
                             " exceeds the " + std::to_string(binary.size() - *offset) +
                             " bytes of binary data left in the body");
    }
    TERN_ASSIGN_OR_RETURN(tensor,
                          TensorFromRaw(dtype, shape, binary.substr(*offset, binary_size), what));
    *offset += binary_size;
  } else {
    auto data = in.find("data");
    if (data == in.end()) return InvalidArgument(what + " has neither 'data' nor binary_data_size");
    TERN_ASSIGN_OR_RETURN(tensor, TensorFromJsonData(dtype, shape, *data, what));
  }
  if (!infer->inputs.emplace(name->get<std::string>(), std::move(tensor)).second) {
    return InvalidArgument(what + " is given twice");
  }
  return Status::Ok();
}

// The 'outputs' list: the names asked for, and which of them say binary_data.
Status ReadInferOutputs(const Json& doc, const SharedMemoryRegistry& registry,
                        V2InferRequest* infer, BinaryOutputs* binary_outputs) {
  auto outputs = doc.find("outputs");
  if (outputs == doc.end()) return Status::Ok();
  if (!outputs->is_array()) return InvalidArgument("'outputs' must be a list");
  for (const auto& out : *outputs) {
    auto name = out.is_object() ? out.find("name") : out.end();
    if (!out.is_object() || name == out.end() || !name->is_string()) {
      return InvalidArgument("every element of 'outputs' needs a string 'name'");
    }
    infer->outputs.push_back(name->get<std::string>());
    const Json& p = Parameters(out);
    const std::string what = "output '" + name->get<std::string>() + "'";
    TERN_ASSIGN_OR_RETURN(auto shared_memory, ReadSharedMemoryParameters(p, what));
    if (shared_memory) {
      TERN_ASSIGN_OR_RETURN(
          auto slice, ResolveSharedMemory(registry, *shared_memory, /*is_input=*/false, what));
      infer->output_shared_memory[name->get<std::string>()] = std::move(slice);
    }
    if (p.contains("binary_data")) {
      binary_outputs->named[name->get<std::string>()] = ReadBool(p, "binary_data");
    }
    if (auto k = p.find("classification"); k != p.end()) {
      if (!k->is_number_integer()) {
        return InvalidArgument("output '" + name->get<std::string>() +
                               "': 'classification' must be an integer, got " +
                               json_internal::JsonSnippet(*k));
      }
      // 0 is how tritonclient says "no classification".
      if (k->get<int64_t>() != 0)
        infer->classification[name->get<std::string>()] = k->get<int64_t>();
    }
  }
  return Status::Ok();
}

// A JSON infer request, its tensors read; what its answer needs besides the result.
struct ParsedInfer {
  V2InferRequest infer;
  std::string id_json;  // the request's id as JSON, or ""
  BinaryOutputs binary_outputs;
};

StatusOr<ParsedInfer> ParseInferBody(const InferBody& body, const ModelRef& ref,
                                     int64_t max_elements, const SharedMemoryRegistry& registry) {
  TERN_ASSIGN_OR_RETURN(Json doc, json_internal::ParseJsonObject(body.header));
  ParsedInfer out;
  out.infer.model = ref;
  const Json& params = Parameters(doc);
  if (auto it = params.find("signature_name"); it != params.end() && it->is_string()) {
    out.infer.signature_name = it->get<std::string>();
  }
  auto inputs = doc.find("inputs");
  if (inputs == doc.end() || !inputs->is_array() || inputs->empty()) {
    return InvalidArgument("the infer request needs a non-empty 'inputs' list");
  }
  size_t offset = 0;
  for (size_t i = 0; i < inputs->size(); ++i) {
    TERN_RETURN_IF_ERROR(
        ReadInferInput((*inputs)[i], i, body.binary, &offset, max_elements, registry, &out.infer));
  }
  if (offset != body.binary.size()) {
    return InvalidArgument(std::to_string(body.binary.size() - offset) +
                           " bytes of binary data after the last binary input");
  }
  out.binary_outputs.all = ReadBool(params, "binary_data_output");
  TERN_RETURN_IF_ERROR(ReadInferOutputs(doc, registry, &out.infer, &out.binary_outputs));
  if (auto it = doc.find("id"); it != doc.end() && it->is_string()) out.id_json = it->dump();
  return out;
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
