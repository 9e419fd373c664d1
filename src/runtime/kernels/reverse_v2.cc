// ReverseV2: reverses `tensor` along each axis listed in `axis` (a 1-D int32/int64 tensor,
// negative axes count from the end, each at most once). Any dtype; a strided copy with negative
// strides on the reversed axes.
#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeReverseV2(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> axes;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "axis", &axes));
  const int rank = x.rank();
  std::vector<bool> reversed(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = axes[i];
    if (a < -rank || a >= rank) {
      return ctx.Error("'axis'[" + std::to_string(i) + "] = " + std::to_string(a) +
                       " is out of valid range [0, " + std::to_string(rank - 1) + "] for input " +
                       x.shape().DebugString());
    }
    if (a < 0) a += rank;
    if (reversed[a]) return ctx.Error("axis " + std::to_string(a) + " specified more than once.");
    reversed[a] = true;
  }
  std::vector<int64_t> dims = x.shape().dim_vector();
  std::vector<int64_t> strides = RowMajorStrides(dims);
  int64_t offset = 0;
  for (int d = 0; d < rank; ++d) {
    if (!reversed[d] || dims[d] == 0) continue;
    offset += (dims[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  return DispatchByElementSize(
      x.dtype(), "tensor",
      [&]<typename T>() -> Status {
        TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
        StridedGather(x.flat<T>(), offset, dims, strides, out->flat<T>());
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateReverseV2Kernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeReverseV2>::Create(c);
}

}  // namespace tern
