// Tensor conversions of the KServe Open Inference Protocol (v2): datatype names, the raw
// little-endian row-major layout (raw_input_contents, the binary tensor extension; BYTES as a
// 4-byte little-endian length before each element) and the typed InferTensorContents fields.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kserve/grpc_predict_v2.pb.h"
#include "runtime/tensor.h"

namespace tern {

// "FP32", "INT64", "BYTES", ... ; INVALID_ARGUMENT for a dtype v2 cannot carry.
StatusOr<std::string> V2DatatypeName(DataType dtype);
// The inverse; INVALID_ARGUMENT naming the datatype and the valid ones.
StatusOr<DataType> V2DatatypeFromName(std::string_view name);

// Validates a v2 shape (non-negative dims, element count within `max_elements`) into a
// TensorShape. `what` names the tensor in error messages.
StatusOr<TensorShape> V2Shape(const std::vector<int64_t>& dims, int64_t max_elements,
                              const std::string& what);

// Raw bytes -> tensor of dtype and shape; the byte count must match exactly.
StatusOr<Tensor> TensorFromRaw(DataType dtype, const TensorShape& shape, std::string_view raw,
                               const std::string& what);
std::string TensorToRaw(const Tensor& tensor);

// InferTensorContents (the field that matches dtype) -> tensor; count must match the shape.
StatusOr<Tensor> TensorFromContents(DataType dtype, const TensorShape& shape,
                                    const inference::InferTensorContents& contents,
                                    const std::string& what);

}  // namespace tern
