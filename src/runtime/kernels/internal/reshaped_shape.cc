#include "runtime/kernels/internal/reshaped_shape.h"

#include <string>
#include <vector>

namespace tern {
namespace {

template <typename T>
std::vector<int64_t> ReadDims(const Tensor& t) {
  std::vector<int64_t> dims(t.num_elements());
  for (int64_t i = 0; i < t.num_elements(); ++i) dims[i] = static_cast<int64_t>(t.flat<T>()[i]);
  return dims;
}

}  // namespace

StatusOr<TensorShape> ReshapedShape(const TensorShape& input, const Tensor& shape) {
  if (shape.rank() > 1)
    return InvalidArgument("shape must be a vector, got " + shape.DebugString());
  std::vector<int64_t> dims;
  if (shape.dtype() == tensorflow::DT_INT32) {
    dims = ReadDims<int32_t>(shape);
  } else if (shape.dtype() == tensorflow::DT_INT64) {
    dims = ReadDims<int64_t>(shape);
  } else {
    return InvalidArgument("shape must be int32 or int64, got " + DataTypeName(shape.dtype()));
  }
  int unknown = -1;
  int64_t known = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (unknown >= 0) return InvalidArgument("only one dimension of the shape may be -1");
      unknown = static_cast<int>(i);
    } else if (dims[i] < 0) {
      return InvalidArgument("negative dimension " + std::to_string(dims[i]) + " in shape");
    } else {
      known *= dims[i];
    }
  }
  const int64_t n = input.num_elements();
  if (unknown >= 0) {
    // As TensorFlow infers it: the input's zero-sized dims are left out only when the requested
    // shape has a zero dim too, so [0,19,8] -> [0,-1,8] gives [0,19,8] and [0,8] -> [-1,8]
    // gives [0,8].
    bool sizes_have_zero = false;
    int64_t out_nonzero = 1;
    for (size_t i = 0; i < dims.size(); ++i) {
      if (static_cast<int>(i) == unknown) continue;
      dims[i] == 0 ? (void)(sizes_have_zero = true) : (void)(out_nonzero *= dims[i]);
    }
    int64_t in_nonzero = 1;
    bool has_zero = false;
    for (int64_t d : input.dims()) {
      if (d > 0 || !sizes_have_zero) {
        in_nonzero *= d;
      } else {
        has_zero = true;
      }
    }
    // With zero-sized dims the element count (0) matches whatever is inferred, as in TF.
    if (!has_zero && in_nonzero / out_nonzero * out_nonzero != n) {
      return InvalidArgument("cannot infer -1 in shape: input " + input.DebugString() + " has " +
                             std::to_string(n) + " elements");
    }
    dims[unknown] = in_nonzero / out_nonzero;
    if (known * dims[unknown] != n) {
      return InvalidArgument("input " + input.DebugString() + " cannot be reshaped to " +
                             TensorShape(dims).DebugString());
    }
  } else if (known != n) {
    return InvalidArgument("input " + input.DebugString() + " has " + std::to_string(n) +
                           " elements, which cannot be reshaped to " +
                           TensorShape(dims).DebugString());
  }
  return TensorShape(std::move(dims));
}

}  // namespace tern
