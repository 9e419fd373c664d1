// Tensors across the C API. Inputs are zero-copy: the TF_Tensor points into the Tern tensor's
// buffer and holds a reference to it until TensorFlow lets go (its deallocator drops it).
// Outputs are copied into Tern tensors charged to the run in scope, since Tern's Tensor cannot
// adopt a buffer it did not allocate (strings are copied either way: their layouts differ).
// Only compiled with TensorFlow's C headers. Stateless; thread-safe.
#pragma once

#include "common/status.h"
#include "runtime/tensor.h"
#include "runtime/tensorflow/tensorflow_library.h"

namespace tern {

// A new TF_Tensor the caller owns (TF_DeleteTensor). INVALID_ARGUMENT for resource and variant
// tensors, which cannot cross the API.
StatusOr<TF_Tensor*> ToTfTensor(const TfApi& api, const Tensor& tensor);

// A Tern copy of `tensor` (which stays the caller's).
StatusOr<Tensor> FromTfTensor(const TfApi& api, const TF_Tensor* tensor);

}  // namespace tern
