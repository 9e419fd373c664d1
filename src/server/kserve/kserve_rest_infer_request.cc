#include "server/kserve/kserve_rest_infer_request.h"

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
#include "server/kserve/kserve_tensor.h"

namespace tern {
namespace {

using json_internal::Json;

// Deeper nesting than any real tensor has; bounds the recursion over "data".
constexpr int kMaxDataDepth = 64;

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

}  // namespace

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

}  // namespace tern
