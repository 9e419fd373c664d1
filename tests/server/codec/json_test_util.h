// Helpers shared by the JSON codec tests: signature input specs, a lookup that answers them, and
// the values of a parsed tensor. Header-only; for tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "server/codec/json_tensor.h"

namespace tern::json_test {

inline TensorSpec Spec(DataType dtype, std::vector<int64_t> dims) {
  return TensorSpec{dtype, std::move(dims), false};
}
inline TensorSpec AnyShape(DataType dtype) { return TensorSpec{dtype, {}, true}; }

inline SignatureInputLookup Fixed(SignatureInputSpecs specs) {
  return [specs](const std::string&) -> StatusOr<SignatureInputSpecs> { return specs; };
}

template <typename T>
std::vector<T> Values(const Tensor& tensor) {
  const T* data = tensor.flat<T>();
  return std::vector<T>(data, data + tensor.num_elements());
}

inline StatusOr<PredictJsonRequest> Parse(const std::string& body, SignatureInputSpecs specs) {
  return ParsePredictRequest(body, Fixed(std::move(specs)));
}

}  // namespace tern::json_test
