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

// How numeric values are written. Strings always go to string_val.
enum class TensorProtoEncoding {
  // The typed repeated fields (float_val, int_val, int64_val, half_val, ...), one value per
  // element, as TensorFlow's Tensor::AsProtoField and TF Serving's Predict write them by default:
  // what client code reading `outputs['y'].float_val` expects.
  kTypedFields,
  // The raw little-endian bytes in tensor_content (Tensor::AsProtoTensorContent): smaller and
  // faster, what TF Serving writes with --enable_serialization_as_tensor_content.
  kTensorContent,
};

void TensorToProto(const Tensor& tensor, tensorflow::TensorProto* proto,
                   TensorProtoEncoding encoding = TensorProtoEncoding::kTensorContent);

// Shape with unknown dims as -1. Fails on unknown rank.
StatusOr<TensorShape> ShapeFromProto(const tensorflow::TensorShapeProto& proto);
void ShapeToProto(const TensorShape& shape, tensorflow::TensorShapeProto* proto);

}  // namespace tern
