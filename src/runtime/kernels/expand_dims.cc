// ExpandDims: inserts a dimension of size 1 at `dim` (one int32/int64 value in [-rank-1, rank]).
// Shares the input's buffer.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeExpandDims(KernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  int64_t dim = 0;
  if (ctx.input(1).num_elements() != 1) {
    return ctx.Error("dim must be a tensor with a single value, got shape " +
                     ctx.input(1).shape().DebugString());
  }
  TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(1), "dim", &dim));
  const int rank = input.rank();
  if (dim < -rank - 1 || dim > rank) {
    return ctx.Error("dim " + std::to_string(dim) + " is out of range [" +
                     std::to_string(-rank - 1) + ", " + std::to_string(rank) +
                     "] for input of shape " + input.shape().DebugString());
  }
  if (dim < 0) dim += rank + 1;
  std::vector<int64_t> dims = input.shape().dim_vector();
  dims.insert(dims.begin() + dim, 1);
  ctx.set_output(0, input.WithShape(TensorShape(std::move(dims))));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateExpandDimsKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeExpandDims>::Create(c);
}

}  // namespace tern
