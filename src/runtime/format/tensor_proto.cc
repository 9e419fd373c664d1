#include "runtime/format/tensor_proto.h"

#include <cstring>

namespace tern {
namespace {

template <typename T, typename Field>
Status FillFromField(const Field& field, Tensor* tensor, std::string_view field_name) {
  const int64_t n = tensor->num_elements();
  const int64_t given = field.size();
  T* out = tensor->flat<T>();
  if (given == n) {
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(field.Get(static_cast<int>(i)));
    return Status::Ok();
  }
  if (given == 0) return Status::Ok();  // all zeros / empty strings
  if (given < n) {
    // TensorFlow's compact form: the last value repeats to fill the shape.
    for (int64_t i = 0; i < n; ++i) {
      out[i] = static_cast<T>(field.Get(static_cast<int>(i < given ? i : given - 1)));
    }
    return Status::Ok();
  }
  return InvalidArgument("TensorProto has " + std::to_string(given) + " values in " +
                         std::string(field_name) + " but shape " + tensor->shape().DebugString() +
                         " holds " + std::to_string(n));
}

template <typename T, typename Field>
void AppendAll(const Tensor& tensor, Field* field) {
  const T* values = tensor.flat<T>();
  const int64_t n = tensor.num_elements();
  field->Reserve(static_cast<int>(n));
  for (int64_t i = 0; i < n; ++i) field->AddAlreadyReserved(values[i]);
}

// Writes the values to the field TensorFlow's AsProtoField uses for the dtype; false for a dtype
// without one (complex, quantized), which then goes to tensor_content.
bool WriteTypedField(const Tensor& tensor, tensorflow::TensorProto* proto) {
  switch (tensor.dtype()) {
    case tensorflow::DT_FLOAT: AppendAll<float>(tensor, proto->mutable_float_val()); return true;
    case tensorflow::DT_DOUBLE: AppendAll<double>(tensor, proto->mutable_double_val()); return true;
    case tensorflow::DT_INT32: AppendAll<int32_t>(tensor, proto->mutable_int_val()); return true;
    case tensorflow::DT_INT16: AppendAll<int16_t>(tensor, proto->mutable_int_val()); return true;
    case tensorflow::DT_INT8: AppendAll<int8_t>(tensor, proto->mutable_int_val()); return true;
    case tensorflow::DT_UINT8: AppendAll<uint8_t>(tensor, proto->mutable_int_val()); return true;
    case tensorflow::DT_UINT16: AppendAll<uint16_t>(tensor, proto->mutable_int_val()); return true;
    // Both 16-bit floats travel as their bit patterns in half_val.
    case tensorflow::DT_HALF:
    case tensorflow::DT_BFLOAT16:
      AppendAll<uint16_t>(tensor, proto->mutable_half_val());
      return true;
    case tensorflow::DT_INT64: AppendAll<int64_t>(tensor, proto->mutable_int64_val()); return true;
    case tensorflow::DT_UINT32:
      AppendAll<uint32_t>(tensor, proto->mutable_uint32_val());
      return true;
    case tensorflow::DT_UINT64:
      AppendAll<uint64_t>(tensor, proto->mutable_uint64_val());
      return true;
    case tensorflow::DT_BOOL: AppendAll<bool>(tensor, proto->mutable_bool_val()); return true;
    default: return false;
  }
}

}  // namespace

StatusOr<TensorShape> ShapeFromProto(const tensorflow::TensorShapeProto& proto) {
  if (proto.unknown_rank()) return InvalidArgument("tensor shape has unknown rank");
  std::vector<int64_t> dims;
  dims.reserve(proto.dim_size());
  for (const auto& d : proto.dim()) dims.push_back(d.size());
  return TensorShape(std::move(dims));
}

void ShapeToProto(const TensorShape& shape, tensorflow::TensorShapeProto* proto) {
  proto->Clear();
  for (int64_t d : shape.dims()) proto->add_dim()->set_size(d);
}

StatusOr<Tensor> TensorFromProto(const tensorflow::TensorProto& proto) {
  TERN_ASSIGN_OR_RETURN(TensorShape shape, ShapeFromProto(proto.tensor_shape()));
  TERN_ASSIGN_OR_RETURN(Tensor tensor, Tensor::Create(proto.dtype(), shape));
  const DataType dtype = proto.dtype();
  if (dtype != tensorflow::DT_STRING && !proto.tensor_content().empty()) {
    const std::string& content = proto.tensor_content();
    if (content.size() != tensor.byte_size()) {
      return InvalidArgument("tensor_content has " + std::to_string(content.size()) +
                             " bytes but " + DataTypeName(dtype) + shape.DebugString() + " needs " +
                             std::to_string(tensor.byte_size()));
    }
    std::memcpy(tensor.raw_data(), content.data(), content.size());
    return tensor;
  }
  switch (dtype) {
    case tensorflow::DT_FLOAT:
      TERN_RETURN_IF_ERROR(FillFromField<float>(proto.float_val(), &tensor, "float_val"));
      break;
    case tensorflow::DT_DOUBLE:
      TERN_RETURN_IF_ERROR(FillFromField<double>(proto.double_val(), &tensor, "double_val"));
      break;
    case tensorflow::DT_INT32:
      TERN_RETURN_IF_ERROR(FillFromField<int32_t>(proto.int_val(), &tensor, "int_val"));
      break;
    case tensorflow::DT_INT16:
      TERN_RETURN_IF_ERROR(FillFromField<int16_t>(proto.int_val(), &tensor, "int_val"));
      break;
    case tensorflow::DT_INT8:
      TERN_RETURN_IF_ERROR(FillFromField<int8_t>(proto.int_val(), &tensor, "int_val"));
      break;
    case tensorflow::DT_UINT8:
      TERN_RETURN_IF_ERROR(FillFromField<uint8_t>(proto.int_val(), &tensor, "int_val"));
      break;
    case tensorflow::DT_UINT16:
      TERN_RETURN_IF_ERROR(FillFromField<uint16_t>(proto.int_val(), &tensor, "int_val"));
      break;
    case tensorflow::DT_HALF:
    case tensorflow::DT_BFLOAT16:
      TERN_RETURN_IF_ERROR(FillFromField<uint16_t>(proto.half_val(), &tensor, "half_val"));
      break;
    case tensorflow::DT_INT64:
      TERN_RETURN_IF_ERROR(FillFromField<int64_t>(proto.int64_val(), &tensor, "int64_val"));
      break;
    case tensorflow::DT_UINT32:
      TERN_RETURN_IF_ERROR(FillFromField<uint32_t>(proto.uint32_val(), &tensor, "uint32_val"));
      break;
    case tensorflow::DT_UINT64:
      TERN_RETURN_IF_ERROR(FillFromField<uint64_t>(proto.uint64_val(), &tensor, "uint64_val"));
      break;
    case tensorflow::DT_BOOL:
      TERN_RETURN_IF_ERROR(FillFromField<bool>(proto.bool_val(), &tensor, "bool_val"));
      break;
    case tensorflow::DT_STRING:
      TERN_RETURN_IF_ERROR(FillFromField<std::string>(proto.string_val(), &tensor, "string_val"));
      break;
    default:
      return InvalidArgument("TensorProto of dtype " + DataTypeName(dtype) + " is not supported");
  }
  return tensor;
}

void TensorToProto(const Tensor& tensor, tensorflow::TensorProto* proto,
                   TensorProtoEncoding encoding) {
  proto->Clear();
  proto->set_dtype(tensor.dtype());
  ShapeToProto(tensor.shape(), proto->mutable_tensor_shape());
  if (tensor.dtype() == tensorflow::DT_STRING) {
    const std::string* s = tensor.flat<std::string>();
    for (int64_t i = 0; i < tensor.num_elements(); ++i) proto->add_string_val(s[i]);
    return;
  }
  if (encoding == TensorProtoEncoding::kTypedFields && WriteTypedField(tensor, proto)) return;
  proto->set_tensor_content(static_cast<const char*>(tensor.raw_data()), tensor.byte_size());
}

}  // namespace tern
