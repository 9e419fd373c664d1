// Tensors across the C API. Inputs are zero-copy: the TF_Tensor points into the Tern tensor's
// buffer and holds a reference to it until TensorFlow lets go (its deallocator drops it).
// Outputs are zero-copy too: the Tern tensor adopts the TF_Tensor's buffer (Tensor::AdoptBuffer),
// charged to the run in scope, and deletes the TF_Tensor when its last reference goes (strings
// are copied either way: their layouts differ).
// Only compiled with TensorFlow's C headers. Stateless; thread-safe.
#pragma once

#include "common/status.h"
#include "runtime/tensor.h"
#include "runtime/tensorflow/tensorflow_library.h"

namespace tern {

// A new TF_Tensor the caller owns (TF_DeleteTensor). INVALID_ARGUMENT for resource and variant
// tensors, which cannot cross the API.
StatusOr<TF_Tensor*> ToTfTensor(const TfApi& api, const Tensor& tensor);

// A Tern tensor of `tensor`, which it takes: its buffer is adopted (the TF_Tensor is deleted when
// the last Tern tensor sharing it goes) or, for strings and a buffer Tern cannot adopt (not
// 64-byte aligned), copied and the TF_Tensor deleted at once, as on any error.
StatusOr<Tensor> FromTfTensor(const TfApi& api, TF_Tensor* tensor);

}  // namespace tern
