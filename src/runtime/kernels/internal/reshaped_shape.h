// The shape a Reshape gives its input: shared by Reshape and by _FusedMatMul, which can reshape
// its product the way a Reshape between a dense layer's MatMul and its BiasAdd did
// (optimize/fuse_mat_mul.h). Stateless; thread-safe.
#pragma once

#include "common/status.h"
#include "runtime/tensor.h"

namespace tern {

// `input` reshaped to `shape` (an int32 or int64 vector; at most one -1, inferred as TensorFlow
// infers it), or INVALID_ARGUMENT saying why not, without naming the node.
StatusOr<TensorShape> ReshapedShape(const TensorShape& input, const Tensor& shape);

}  // namespace tern
