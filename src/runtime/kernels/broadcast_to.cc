// BroadcastTo: `input` repeated to the shape `shape` (a 1-D int32/int64 tensor) by NumPy's
// rules: dimensions align from the right and an input dimension of 1 (or a missing one) repeats.
// Any dtype; a strided copy with stride 0 on the repeated dimensions.
#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeBroadcastTo(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> dims;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "shape", &dims));
  for (int64_t d : dims) {
    if (d < 0) return ctx.Error("Dimension " + std::to_string(d) + " must be >= 0");
  }
  const int rank = static_cast<int>(dims.size());
  const int in_rank = x.rank();
  const TensorShape out_shape(dims);
  if (in_rank > rank) {
    return ctx.Error("Rank of input (" + std::to_string(in_rank) +
                     ") must be no greater than rank of output shape (" + std::to_string(rank) +
                     ").");
  }
  const std::vector<int64_t> in_strides = RowMajorStrides(x.shape().dims());
  std::vector<int64_t> strides(rank, 0);
  for (int d = 0; d < in_rank; ++d) {
    const int o = rank - in_rank + d;
    const int64_t in_dim = x.dim(d);
    if (in_dim == dims[o]) {
      strides[o] = in_dim == 1 ? 0 : in_strides[d];
    } else if (in_dim != 1) {
      return ctx.Error("Unable to broadcast tensor of shape " + x.shape().DebugString() +
                       " to tensor of shape " + out_shape.DebugString());
    }
  }
  if (out_shape == x.shape()) {
    ctx.set_output(0, x);
    return Status::Ok();
  }
  return DispatchByElementSize(
      x.dtype(), "input",
      [&]<typename T>() -> Status {
        TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), out_shape));
        StridedGather(x.flat<T>(), 0, dims, strides, out->flat<T>());
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateBroadcastToKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeBroadcastTo>::Create(c);
}

}  // namespace tern
