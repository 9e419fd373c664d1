// Conversion between Tensor and tensorflow.TensorProto (graph constants, gRPC requests).
// Stateless functions; thread-safe.
#pragma once

#include "common/status.h"
#include "runtime/tensor.h"
#include "tf/tensor.pb.h"
#include "tf/tensor_shape.pb.h"

namespace tern {

// Accepts every form TensorFlow writes: tensor_content, the typed *_val fields, and the
// "splat" form where a single value fills the whole shape. Errors say what was wrong.
StatusOr<Tensor> TensorFromProto(const tensorflow::TensorProto& proto);

// Writes numeric tensors as tensor_content (compact and fast), strings as string_val.
void TensorToProto(const Tensor& tensor, tensorflow::TensorProto* proto);

// Shape with unknown dims as -1. Fails on unknown rank.
StatusOr<TensorShape> ShapeFromProto(const tensorflow::TensorShapeProto& proto);
void ShapeToProto(const TensorShape& shape, tensorflow::TensorShapeProto* proto);

}  // namespace tern
