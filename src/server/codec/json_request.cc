// Predict request parsing: {"instances": ...} / {"inputs": ...} -> named tensors.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "server/codec/json_internal.h"
#include "server/codec/json_tensor.h"

namespace tern {
namespace {

using json_internal::IsBase64Object;
using json_internal::Json;
using json_internal::JsonKind;
using json_internal::JsonSnippet;
using json_internal::VisitJsonDtype;

// TensorFlow's limit on the rank of a tensor; also bounds the recursion below.
constexpr size_t kMaxRank = 254;

// Where a value sits in the request, for error messages.
struct Where {
  const std::string& input;
  int64_t instance = -1;  // index into "instances"; -1 in the columnar format

  std::string Prefix() const {
    std::string out = "input '" + input + "'";
    if (instance >= 0) out += ", instances[" + std::to_string(instance) + "]";
    return out;
  }
  Status Error(const std::string& detail) const {
    return InvalidArgument(Prefix() + ": " + detail);
  }
};

std::string ShapeString(const std::vector<int64_t>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) out += ",";
    out += dims[i] < 0 ? "?" : std::to_string(dims[i]);
  }
  return out + "]";
}

std::string InputNames(const SignatureInputSpecs& specs) {
  std::string out;
  for (const auto& [name, spec] : specs) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// An object keyed by input name (as opposed to a {"b64": ...} value).
bool IsNamedObject(const Json& value) { return value.is_object() && !IsBase64Object(value); }

Status CheckJsonDtype(DataType dtype) {
  return VisitJsonDtype(dtype, [](auto) { return Status::Ok(); });
}

std::string TypeMismatch(const Json& value, DataType dtype) {
  return "expected " + DataTypeName(dtype) + ", got " + JsonKind(value) + " " + JsonSnippet(value);
}

// Converts one JSON leaf to an element of type T. Errors carry no location (the caller adds it).
template <typename T>
Status ToElement(const Json& value, DataType dtype, T* out) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (value.is_string()) {
      *out = value.get_ref<const std::string&>();
      return Status::Ok();
    }
    if (IsBase64Object(value)) {
      std::optional<std::string> bytes = Base64Decode(value["b64"].get_ref<const std::string&>());
      if (!bytes) return InvalidArgument("invalid base64 data in " + JsonSnippet(value));
      *out = std::move(*bytes);
      return Status::Ok();
    }
    if (value.is_object()) {
      return InvalidArgument("expected a string or an object {\"b64\": \"<base64>\"}, got " +
                             JsonSnippet(value));
    }
    return InvalidArgument(TypeMismatch(value, dtype));
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!value.is_boolean()) return InvalidArgument(TypeMismatch(value, dtype));
    *out = value.get<bool>();
    return Status::Ok();
  } else if constexpr (json_internal::kIsHalfFloat<T>) {
    // Read as float, then rounded to the nearest 16-bit value; a finite number beyond the
    // type's range is refused rather than turned into infinity.
    float wide = 0;
    TERN_RETURN_IF_ERROR(ToElement(value, dtype, &wide));
    *out = static_cast<T>(wide);
    if (std::isfinite(wide) && !std::isfinite(static_cast<float>(*out))) {
      return InvalidArgument(JsonSnippet(value) + " is out of range for " + DataTypeName(dtype));
    }
    return Status::Ok();
  } else if constexpr (std::is_floating_point_v<T>) {
    // As TF Serving: an integer is accepted when T holds it exactly, a decimal when it is in
    // T's range (non-finite values always). Unlike TF Serving, a decimal just above T's max
    // that rounds to it (FLT_MAX as printed, 3.40282347e+38) is accepted.
    constexpr uint64_t kMaxExact = (uint64_t{1} << std::numeric_limits<T>::digits) - 1;
    const auto lossy = [&] {
      return InvalidArgument("cannot convert " + JsonSnippet(value) + " to " + DataTypeName(dtype) +
                             " without loss of precision");
    };
    if (value.is_number_float()) {
      const double d = value.get<double>();
      if constexpr (std::is_same_v<T, float>) {
        if (std::isfinite(d) && !json_internal::RoundsToFiniteFloat(d)) return lossy();
      }
      *out = static_cast<T>(d);
    } else if (value.is_number_unsigned()) {
      const uint64_t u = value.get<uint64_t>();
      if (u > kMaxExact) return lossy();
      *out = static_cast<T>(u);
    } else if (value.is_number_integer()) {
      const int64_t i = value.get<int64_t>();
      const uint64_t magnitude =
          i < 0 ? uint64_t{0} - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
      if (magnitude > kMaxExact) return lossy();
      *out = static_cast<T>(i);
    } else {
      return InvalidArgument(TypeMismatch(value, dtype));
    }
    return Status::Ok();
  } else {
    static_assert(std::is_integral_v<T>);
    const auto out_of_range = [&] {
      return InvalidArgument(JsonSnippet(value) + " is out of range for " + DataTypeName(dtype));
    };
    if (value.is_number_unsigned()) {
      const uint64_t u = value.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<T>::max())) return out_of_range();
      *out = static_cast<T>(u);
    } else if (value.is_number_integer()) {
      const int64_t i = value.get<int64_t>();
      if constexpr (std::is_unsigned_v<T>) {
        if (i < 0 || static_cast<uint64_t>(i) > std::numeric_limits<T>::max()) {
          return out_of_range();
        }
      } else {
        if (i < std::numeric_limits<T>::min() || i > std::numeric_limits<T>::max()) {
          return out_of_range();
        }
      }
      *out = static_cast<T>(i);
    } else {
      return InvalidArgument(TypeMismatch(value, dtype));
    }
    return Status::Ok();
  }
}

// The dense shape a value implies: the length of each nested list, following first elements
// (a scalar has shape []). Raggedness is caught later, when the elements are filled in.
Status ImpliedShape(const Json& value, const Where& where, std::vector<int64_t>* dims) {
  dims->clear();
  const Json* v = &value;
  while (v->is_array()) {
    if (dims->size() == kMaxRank) {
      return where.Error("lists are nested more than " + std::to_string(kMaxRank) + " deep");
    }
    dims->push_back(static_cast<int64_t>(v->size()));
    if (v->empty()) break;
    v = &(*v)[0];
  }
  return Status::Ok();
}

// Writes the elements of `value`, which must have exactly the shape `dims` from `level` down,
// to `out` (advanced past them) in row-major order.
template <typename T>
Status FillElements(const Json& value, const std::vector<int64_t>& dims, size_t level,
                    DataType dtype, const Where& where, T*& out) {
  if (level == dims.size()) {
    if (value.is_array()) {
      return where.Error("ragged nested list: found a list at depth " + std::to_string(level) +
                         ", deeper than the shape " + ShapeString(dims) +
                         " implied by the first elements");
    }
    Status status = ToElement(value, dtype, out);
    if (!status.ok()) return where.Error(status.message());
    ++out;
    return Status::Ok();
  }
  if (!value.is_array()) {
    return where.Error("ragged nested list: found " + JsonKind(value) + " " + JsonSnippet(value) +
                       " at depth " + std::to_string(level) + " where a list of " +
                       std::to_string(dims[level]) + " was expected (shape " + ShapeString(dims) +
                       ")");
  }
  if (static_cast<int64_t>(value.size()) != dims[level]) {
    return where.Error("ragged nested list: a list at depth " + std::to_string(level) + " has " +
                       std::to_string(value.size()) + " elements, expected " +
                       std::to_string(dims[level]) + " (shape " + ShapeString(dims) + ")");
  }
  for (const Json& element : value) {
    TERN_RETURN_IF_ERROR(FillElements(element, dims, level + 1, dtype, where, out));
  }
  return Status::Ok();
}

Status CheckSpecShape(const std::string& name, const TensorSpec& spec,
                      const std::vector<int64_t>& dims) {
  if (spec.unknown_rank) return Status::Ok();
  bool match = spec.dims.size() == dims.size();
  for (size_t i = 0; match && i < dims.size(); ++i) {
    match = spec.dims[i] < 0 || spec.dims[i] == dims[i];
  }
  if (match) return Status::Ok();
  return InvalidArgument("input '" + name + "': expected shape " + ShapeString(spec.dims) +
                         ", got " + ShapeString(dims));
}

// Columnar format: `value` is the whole tensor.
StatusOr<Tensor> TensorFromValue(const Json& value, const std::string& name,
                                 const TensorSpec& spec) {
  const Where where{name};
  std::vector<int64_t> dims;
  TERN_RETURN_IF_ERROR(ImpliedShape(value, where, &dims));
  TERN_RETURN_IF_ERROR(CheckSpecShape(name, spec, dims));
  TERN_ASSIGN_OR_RETURN(Tensor tensor, Tensor::Create(spec.dtype, TensorShape(dims)));
  TERN_RETURN_IF_ERROR(VisitJsonDtype(spec.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* out = tensor.flat<T>();
    return FillElements(value, dims, 0, spec.dtype, where, out);
  }));
  return tensor;
}

// Row format: instance i gives row i of the tensor (the instance itself, or its member `name`
// when `named`).
StatusOr<Tensor> TensorFromInstances(const Json& instances, bool named, const std::string& name,
                                     const TensorSpec& spec) {
  const auto row_value = [&](size_t i) -> const Json& {
    return named ? instances[i].find(name).value() : instances[i];
  };
  std::vector<int64_t> row_dims;
  TERN_RETURN_IF_ERROR(ImpliedShape(row_value(0), Where{name, 0}, &row_dims));
  std::vector<int64_t> dims;
  dims.reserve(row_dims.size() + 1);
  dims.push_back(static_cast<int64_t>(instances.size()));
  dims.insert(dims.end(), row_dims.begin(), row_dims.end());
  TERN_RETURN_IF_ERROR(CheckSpecShape(name, spec, dims));
  TERN_ASSIGN_OR_RETURN(Tensor tensor, Tensor::Create(spec.dtype, TensorShape(dims)));
  TERN_RETURN_IF_ERROR(VisitJsonDtype(spec.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* out = tensor.flat<T>();
    std::vector<int64_t> dims_i;
    for (size_t i = 0; i < instances.size(); ++i) {
      const Where where{name, static_cast<int64_t>(i)};
      const Json& value = row_value(i);
      TERN_RETURN_IF_ERROR(ImpliedShape(value, where, &dims_i));
      if (dims_i != row_dims) {
        return where.Error("shape " + ShapeString(dims_i) + " differs from instances[0]'s " +
                           ShapeString(row_dims) + "; all instances must have the same shape");
      }
      TERN_RETURN_IF_ERROR(FillElements(value, row_dims, 0, spec.dtype, where, out));
    }
    return Status::Ok();
  }));
  return tensor;
}

Status ParseRowFormat(const Json& instances, const SignatureInputSpecs& specs,
                      std::map<std::string, Tensor>* inputs) {
  if (!instances.is_array()) {
    return InvalidArgument("'instances' must be a list, got " + JsonKind(instances));
  }
  if (instances.empty()) return InvalidArgument("'instances' is an empty list");
  const bool named = IsNamedObject(instances[0]);
  if (!named && specs.size() > 1) {
    return InvalidArgument("'instances' is a list of values, but the signature has " +
                           std::to_string(specs.size()) + " inputs (" + InputNames(specs) +
                           "): each instance must be an object keyed by input name");
  }
  for (size_t i = 0; i < instances.size(); ++i) {
    const Json& instance = instances[i];
    const std::string where = "instances[" + std::to_string(i) + "]";
    if (IsNamedObject(instance) != named) {
      return InvalidArgument(
          named ? where + " is not an object keyed by input name, but instances[0] is (got " +
                      JsonKind(instance) + " " + JsonSnippet(instance) + ")"
                : where + " is an object keyed by input name, but instances[0] is not");
    }
    if (!named) continue;
    for (const auto& [key, unused] : instance.items()) {
      if (specs.count(key) == 0) {
        return InvalidArgument(where + " has unknown input '" + key +
                               "'; the signature's inputs are: " + InputNames(specs));
      }
    }
    for (const auto& [name, spec] : specs) {
      if (!instance.contains(name)) {
        return InvalidArgument(where + " is missing input '" + name + "'");
      }
    }
  }
  for (const auto& [name, spec] : specs) {
    TERN_ASSIGN_OR_RETURN(Tensor tensor, TensorFromInstances(instances, named, name, spec));
    inputs->emplace(name, std::move(tensor));
  }
  return Status::Ok();
}

Status ParseColumnarFormat(const Json& value, const SignatureInputSpecs& specs,
                           std::map<std::string, Tensor>* inputs) {
  if (!IsNamedObject(value)) {
    if (specs.size() != 1) {
      return InvalidArgument("'inputs' is a " + JsonKind(value) + ", but the signature has " +
                             std::to_string(specs.size()) + " inputs (" + InputNames(specs) +
                             "): 'inputs' must be an object keyed by input name");
    }
    const auto& [name, spec] = *specs.begin();
    TERN_ASSIGN_OR_RETURN(Tensor tensor, TensorFromValue(value, name, spec));
    inputs->emplace(name, std::move(tensor));
    return Status::Ok();
  }
  for (const auto& [key, unused] : value.items()) {
    if (specs.count(key) == 0) {
      return InvalidArgument("'inputs' has unknown input '" + key +
                             "'; the signature's inputs are: " + InputNames(specs));
    }
  }
  for (const auto& [name, spec] : specs) {
    const auto it = value.find(name);
    if (it == value.end()) return InvalidArgument("'inputs' is missing input '" + name + "'");
    TERN_ASSIGN_OR_RETURN(Tensor tensor, TensorFromValue(*it, name, spec));
    inputs->emplace(name, std::move(tensor));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<PredictJsonRequest> ParsePredictRequest(std::string_view body,
                                                 const SignatureInputLookup& lookup) {
  if (auto fast = json_internal::FastParsePredictRequest(body, lookup)) return std::move(*fast);
  TERN_ASSIGN_OR_RETURN(Json doc, json_internal::ParseJsonObject(body));
  PredictJsonRequest request;
  TERN_ASSIGN_OR_RETURN(request.signature_name, json_internal::ReadSignatureName(doc));
  TERN_ASSIGN_OR_RETURN(SignatureInputSpecs specs, lookup(request.signature_name));
  if (specs.empty()) {
    return InvalidArgument((request.signature_name.empty()
                                ? std::string("the default signature")
                                : "signature '" + request.signature_name + "'") +
                           " has no inputs");
  }
  for (const auto& [name, spec] : specs) {
    Status status = CheckJsonDtype(spec.dtype);
    if (!status.ok()) return Status(status.code(), "input '" + name + "': " + status.message());
  }
  const auto instances = doc.find("instances");
  const auto inputs = doc.find("inputs");
  if (instances != doc.end() && inputs != doc.end()) {
    return InvalidArgument(
        "the request has both 'instances' (row format) and 'inputs' (columnar format); "
        "give only one");
  }
  if (instances != doc.end()) {
    request.format = JsonFormat::kRow;
    TERN_RETURN_IF_ERROR(ParseRowFormat(*instances, specs, &request.inputs));
  } else if (inputs != doc.end()) {
    request.format = JsonFormat::kColumnar;
    TERN_RETURN_IF_ERROR(ParseColumnarFormat(*inputs, specs, &request.inputs));
  } else {
    return InvalidArgument(
        "Missing 'inputs' or 'instances' key: the request needs 'instances' (row format) or "
        "'inputs' (columnar format)");
  }
  return request;
}

}  // namespace tern
