#include "runtime/tensorflow/tensorflow_tensor.h"

#include <cstring>
#include <vector>

namespace tern {

StatusOr<TF_Tensor*> ToTfTensor(const TfApi& api, const Tensor& tensor) {
  std::vector<int64_t> dims(tensor.rank());
  for (int i = 0; i < tensor.rank(); ++i) dims[i] = tensor.dim(i);
  // TF_DataType numbers are DataType's.
  const auto dtype = static_cast<TF_DataType>(tensor.dtype());
  const int64_t n = tensor.num_elements();
  if (tensor.dtype() == tensorflow::DT_STRING) {
    TF_Tensor* out = api.TF_AllocateTensor(TF_STRING, dims.data(), static_cast<int>(dims.size()),
                                           static_cast<size_t>(n) * sizeof(TF_TString));
    auto* strings = static_cast<TF_TString*>(api.TF_TensorData(out));
    const std::string* in = tensor.flat<std::string>();
    for (int64_t i = 0; i < n; ++i) {
      api.TF_StringInit(&strings[i]);
      api.TF_StringCopy(&strings[i], in[i].data(), in[i].size());
    }
    return out;
  }
  const size_t element = DataTypeSize(tensor.dtype());
  if (element == 0) {
    return InvalidArgument("the TensorFlow runtime cannot take a " + DataTypeName(tensor.dtype()) +
                           " tensor as input");
  }
  const size_t bytes = static_cast<size_t>(n) * element;
  if (bytes == 0 || tensor.raw_data() == nullptr) {
    return api.TF_AllocateTensor(dtype, dims.data(), static_cast<int>(dims.size()), 0);
  }
  // The copy shares the buffer (Tensor copies are cheap); TensorFlow deletes it when done.
  auto* keep = new Tensor(tensor);
  return api.TF_NewTensor(
      dtype, dims.data(), static_cast<int>(dims.size()), const_cast<void*>(keep->raw_data()), bytes,
      [](void*, size_t, void* arg) { delete static_cast<Tensor*>(arg); }, keep);
}

namespace {

// A Tern copy of `tensor` (which stays the caller's).
StatusOr<Tensor> CopyFromTfTensor(const TfApi& api, const TF_Tensor* tensor, DataType dtype,
                                  TensorShape shape, size_t bytes) {
  TERN_ASSIGN_OR_RETURN(Tensor out,
                        Tensor::Create(dtype, std::move(shape), Tensor::Contents::kUnset));
  const int64_t n = out.num_elements();
  if (dtype == tensorflow::DT_STRING) {
    const auto* strings = static_cast<const TF_TString*>(api.TF_TensorData(tensor));
    std::string* dst = out.flat<std::string>();
    for (int64_t i = 0; i < n; ++i) {
      dst[i].assign(api.TF_StringGetDataPointer(&strings[i]), api.TF_StringGetSize(&strings[i]));
    }
    return out;
  }
  if (bytes > 0) std::memcpy(out.raw_data(), api.TF_TensorData(tensor), bytes);
  return out;
}

// *adopted: whether the result took `tensor` (else the caller still owns it).
StatusOr<Tensor> ConvertTfTensor(const TfApi& api, TF_Tensor* tensor, bool* adopted) {
  const auto dtype = static_cast<DataType>(api.TF_TensorType(tensor));
  std::vector<int64_t> dims(api.TF_NumDims(tensor));
  for (size_t i = 0; i < dims.size(); ++i) dims[i] = api.TF_Dim(tensor, static_cast<int>(i));
  TensorShape shape(std::move(dims));
  if (dtype == tensorflow::DT_STRING) return CopyFromTfTensor(api, tensor, dtype, shape, 0);
  const size_t element = DataTypeSize(dtype);
  if (element == 0) {
    return Unimplemented("the TensorFlow runtime cannot return a " + DataTypeName(dtype) +
                         " tensor");
  }
  const size_t bytes = static_cast<size_t>(shape.num_elements()) * element;
  if (bytes != api.TF_TensorByteSize(tensor)) {
    return Internal("TensorFlow returned a " + DataTypeName(dtype) + " tensor of " +
                    std::to_string(api.TF_TensorByteSize(tensor)) + " bytes for " +
                    std::to_string(shape.num_elements()) + " elements");
  }
  void* data = api.TF_TensorData(tensor);
  // TensorFlow's CPU allocator aligns to 64 bytes, as Tern's does; an empty tensor has no
  // buffer to adopt, and an unaligned one (never seen) is copied.
  if (bytes > 0 && data != nullptr && reinterpret_cast<uintptr_t>(data) % 64 == 0) {
    const TfApi* api_ptr = &api;  // process-lifetime: TensorFlow is never unloaded
    auto out = Tensor::AdoptBuffer(dtype, std::move(shape), data, bytes,
                                   [api_ptr, tensor] { api_ptr->TF_DeleteTensor(tensor); });
    *adopted = out.ok();  // on an error (a budget) nothing was adopted
    return out;
  }
  return CopyFromTfTensor(api, tensor, dtype, std::move(shape), bytes);
}

}  // namespace

StatusOr<Tensor> FromTfTensor(const TfApi& api, TF_Tensor* tensor) {
  bool adopted = false;
  StatusOr<Tensor> out = ConvertTfTensor(api, tensor, &adopted);
  if (!adopted) api.TF_DeleteTensor(tensor);
  return out;
}

}  // namespace tern
