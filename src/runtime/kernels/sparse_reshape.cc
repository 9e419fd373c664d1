// SparseReshape: re-indexes a SparseTensor's int64 indices [N, R] from input_shape [R] to
// new_shape [R'] (at most one -1, inferred) with the same number of dense elements.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeSparseReshape(KernelContext& ctx) {
  const Tensor& indices = ctx.input(0);
  const Tensor& input_shape = ctx.input(1);
  const Tensor& new_shape_t = ctx.input(2);
  if (indices.dtype() != tensorflow::DT_INT64 || indices.rank() != 2) {
    return ctx.Error("input_indices must be an int64 matrix, got " + indices.DebugString());
  }
  if (input_shape.dtype() != tensorflow::DT_INT64 || input_shape.rank() != 1 ||
      input_shape.num_elements() != indices.dim(1)) {
    return ctx.Error("input_shape must be int64 [" + std::to_string(indices.dim(1)) + "], got " +
                     input_shape.DebugString());
  }
  if (new_shape_t.dtype() != tensorflow::DT_INT64 || new_shape_t.rank() != 1) {
    return ctx.Error("new_shape must be 1-D int64, got " + new_shape_t.DebugString());
  }
  const std::vector<int64_t> in_dims(input_shape.flat<int64_t>(),
                                     input_shape.flat<int64_t>() + input_shape.num_elements());
  std::vector<int64_t> out_dims(new_shape_t.flat<int64_t>(),
                                new_shape_t.flat<int64_t>() + new_shape_t.num_elements());
  int64_t dense = 1;
  for (int64_t d : in_dims) dense *= d;
  int64_t known = 1, unknown = -1;
  for (size_t i = 0; i < out_dims.size(); ++i) {
    if (out_dims[i] == -1) {
      if (unknown >= 0)
        return ctx.Error("only one output dimension may be -1, not both " +
                         std::to_string(unknown) + " and " + std::to_string(i));
      unknown = static_cast<int64_t>(i);
    } else if (out_dims[i] < 0) {
      return ctx.Error("size " + std::to_string(i) + " must be non-negative, not " +
                       std::to_string(out_dims[i]));
    } else {
      known *= out_dims[i];
    }
  }
  if (unknown >= 0) {
    if (known == 0 || dense % known != 0) {
      return ctx.Error("Input to reshape is a SparseTensor with " + std::to_string(dense) +
                       " dense values, but the requested shape requires a multiple of " +
                       std::to_string(known));
    }
    out_dims[unknown] = dense / known;
    known = dense;
  }
  if (known != dense) {
    return ctx.Error("Input to reshape is a tensor with " + std::to_string(dense) +
                     " dense values, but the requested shape has " + std::to_string(known));
  }
  const int64_t n = indices.dim(0);
  const int64_t in_rank = indices.dim(1);
  const int64_t out_rank = static_cast<int64_t>(out_dims.size());
  const std::vector<int64_t> in_strides = RowMajorStrides(in_dims);
  const std::vector<int64_t> out_strides = RowMajorStrides(out_dims);
  Tensor out(tensorflow::DT_INT64, TensorShape{n, out_rank});
  const int64_t* in = indices.flat<int64_t>();
  int64_t* o = out.flat<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    int64_t flat = 0;
    for (int64_t d = 0; d < in_rank; ++d) flat += in[i * in_rank + d] * in_strides[d];
    for (int64_t d = 0; d < out_rank; ++d) {
      o[i * out_rank + d] = out_strides[d] == 0 ? 0 : flat / out_strides[d];
      if (out_strides[d] != 0) flat %= out_strides[d];
    }
  }
  ctx.set_output(0, std::move(out));
  ctx.set_output(1, Tensor::FromVector<int64_t>(out_dims, TensorShape{out_rank}));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSparseReshapeKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSparseReshape>::Create(c);
}

}  // namespace tern
