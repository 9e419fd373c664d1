#include "server/kserve/kserve_tensor.h"

#include <cstring>
#include <limits>

namespace tern {
namespace {

struct DatatypeName {
  DataType dtype;
  const char* name;
};
constexpr DatatypeName kDatatypes[] = {
    {tensorflow::DT_BOOL, "BOOL"},     {tensorflow::DT_UINT8, "UINT8"},
    {tensorflow::DT_UINT16, "UINT16"}, {tensorflow::DT_UINT32, "UINT32"},
    {tensorflow::DT_UINT64, "UINT64"}, {tensorflow::DT_INT8, "INT8"},
    {tensorflow::DT_INT16, "INT16"},   {tensorflow::DT_INT32, "INT32"},
    {tensorflow::DT_INT64, "INT64"},   {tensorflow::DT_HALF, "FP16"},
    {tensorflow::DT_BFLOAT16, "BF16"}, {tensorflow::DT_FLOAT, "FP32"},
    {tensorflow::DT_DOUBLE, "FP64"},   {tensorflow::DT_STRING, "BYTES"},
};

template <typename T, typename Repeated>
StatusOr<Tensor> FromRepeated(DataType dtype, const TensorShape& shape, const Repeated& values,
                              const char* field, const std::string& what) {
  if (static_cast<int64_t>(values.size()) != shape.num_elements()) {
    return InvalidArgument(what + ": shape " + shape.DebugString() + " needs " +
                           std::to_string(shape.num_elements()) + " elements, but " + field +
                           " has " + std::to_string(values.size()));
  }
  Tensor t(dtype, shape);
  T* out = t.flat<T>();
  for (int i = 0; i < values.size(); ++i) {
    const auto v = values.Get(i);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (v < static_cast<decltype(v)>(std::numeric_limits<T>::min()) ||
          v > static_cast<decltype(v)>(std::numeric_limits<T>::max())) {
        return InvalidArgument(what + ": element " + std::to_string(i) + " = " + std::to_string(v) +
                               " is out of range for " + DataTypeName(dtype));
      }
    }
    out[i] = static_cast<T>(v);
  }
  return t;
}

}  // namespace

StatusOr<std::string> V2DatatypeName(DataType dtype) {
  for (const auto& d : kDatatypes) {
    if (d.dtype == dtype) return std::string(d.name);
  }
  return InvalidArgument("dtype " + DataTypeName(dtype) + " has no KServe v2 datatype");
}

StatusOr<DataType> V2DatatypeFromName(std::string_view name) {
  std::string valid;
  for (const auto& d : kDatatypes) {
    if (name == d.name) return d.dtype;
    valid += valid.empty() ? d.name : std::string(", ") + d.name;
  }
  return InvalidArgument("unknown datatype '" + std::string(name) + "' (expected one of " + valid +
                         ")");
}

StatusOr<TensorShape> V2Shape(const std::vector<int64_t>& dims, int64_t max_elements,
                              const std::string& what) {
  int64_t count = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0) {
      return InvalidArgument(what + ": dimension " + std::to_string(i) + " is " +
                             std::to_string(dims[i]) + "; dimensions must be >= 0");
    }
    if (dims[i] > 0 && count > max_elements / dims[i]) {
      return InvalidArgument(what + ": shape has more than " + std::to_string(max_elements) +
                             " elements");
    }
    count *= dims[i];
  }
  return TensorShape(dims);
}

StatusOr<Tensor> TensorFromRaw(DataType dtype, const TensorShape& shape, std::string_view raw,
                               const std::string& what) {
  const int64_t n = shape.num_elements();
  if (dtype == tensorflow::DT_STRING) {
    Tensor t(dtype, shape);
    size_t pos = 0;
    for (int64_t i = 0; i < n; ++i) {
      uint32_t len = 0;
      if (raw.size() - pos < 4) {
        return InvalidArgument(what + ": BYTES data ends inside the length of element " +
                               std::to_string(i) + " of " + std::to_string(n));
      }
      std::memcpy(&len, raw.data() + pos, 4);
      pos += 4;
      if (raw.size() - pos < len) {
        return InvalidArgument(what + ": BYTES element " + std::to_string(i) + " declares " +
                               std::to_string(len) + " bytes but only " +
                               std::to_string(raw.size() - pos) + " remain");
      }
      t.flat<std::string>()[i].assign(raw.data() + pos, len);
      pos += len;
    }
    if (pos != raw.size()) {
      return InvalidArgument(what + ": " + std::to_string(raw.size() - pos) +
                             " bytes left over after " + std::to_string(n) + " BYTES elements");
    }
    return t;
  }
  const size_t expected = static_cast<size_t>(n) * DataTypeSize(dtype);
  if (raw.size() != expected) {
    return InvalidArgument(what + ": shape " + shape.DebugString() + " of " + DataTypeName(dtype) +
                           " needs " + std::to_string(expected) + " bytes of data, got " +
                           std::to_string(raw.size()));
  }
  Tensor t(dtype, shape);
  if (expected > 0) std::memcpy(t.raw_data(), raw.data(), expected);
  if (dtype == tensorflow::DT_BOOL) {
    const auto* bytes = static_cast<const uint8_t*>(t.raw_data());
    for (size_t i = 0; i < expected; ++i) {
      if (bytes[i] > 1) {
        return InvalidArgument(what + ": BOOL element " + std::to_string(i) + " is byte " +
                               std::to_string(bytes[i]) + "; expected 0 or 1");
      }
    }
  }
  return t;
}

std::string TensorToRaw(const Tensor& tensor) {
  if (tensor.dtype() == tensorflow::DT_STRING) {
    std::string out;
    for (int64_t i = 0; i < tensor.num_elements(); ++i) {
      const std::string& s = tensor.flat<std::string>()[i];
      const uint32_t len = static_cast<uint32_t>(s.size());
      out.append(reinterpret_cast<const char*>(&len), 4);
      out.append(s);
    }
    return out;
  }
  return std::string(static_cast<const char*>(tensor.raw_data()), tensor.byte_size());
}

StatusOr<Tensor> TensorFromContents(DataType dtype, const TensorShape& shape,
                                    const inference::InferTensorContents& c,
                                    const std::string& what) {
  switch (dtype) {
    case tensorflow::DT_BOOL:
      return FromRepeated<bool>(dtype, shape, c.bool_contents(), "bool_contents", what);
    case tensorflow::DT_INT8:
      return FromRepeated<int8_t>(dtype, shape, c.int_contents(), "int_contents", what);
    case tensorflow::DT_INT16:
      return FromRepeated<int16_t>(dtype, shape, c.int_contents(), "int_contents", what);
    case tensorflow::DT_INT32:
      return FromRepeated<int32_t>(dtype, shape, c.int_contents(), "int_contents", what);
    case tensorflow::DT_INT64:
      return FromRepeated<int64_t>(dtype, shape, c.int64_contents(), "int64_contents", what);
    case tensorflow::DT_UINT8:
      return FromRepeated<uint8_t>(dtype, shape, c.uint_contents(), "uint_contents", what);
    case tensorflow::DT_UINT16:
      return FromRepeated<uint16_t>(dtype, shape, c.uint_contents(), "uint_contents", what);
    case tensorflow::DT_UINT32:
      return FromRepeated<uint32_t>(dtype, shape, c.uint_contents(), "uint_contents", what);
    case tensorflow::DT_UINT64:
      return FromRepeated<uint64_t>(dtype, shape, c.uint64_contents(), "uint64_contents", what);
    case tensorflow::DT_FLOAT:
      return FromRepeated<float>(dtype, shape, c.fp32_contents(), "fp32_contents", what);
    case tensorflow::DT_DOUBLE:
      return FromRepeated<double>(dtype, shape, c.fp64_contents(), "fp64_contents", what);
    case tensorflow::DT_STRING: {
      if (static_cast<int64_t>(c.bytes_contents_size()) != shape.num_elements()) {
        return InvalidArgument(what + ": shape " + shape.DebugString() + " needs " +
                               std::to_string(shape.num_elements()) +
                               " elements, but bytes_contents has " +
                               std::to_string(c.bytes_contents_size()));
      }
      Tensor t(dtype, shape);
      for (int i = 0; i < c.bytes_contents_size(); ++i)
        t.flat<std::string>()[i] = c.bytes_contents(i);
      return t;
    }
    default:
      return InvalidArgument(what + ": datatype " + DataTypeName(dtype) +
                             " must be sent in raw_input_contents");
  }
}

}  // namespace tern
