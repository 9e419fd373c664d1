// SplitV: `value` cut along `axis` into pieces of the given sizes (one may be -1: the rest).
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {

Status SplitToOutputs(KernelContext& ctx, const Tensor& value, int axis,
                      const std::vector<int64_t>& sizes);  // split.cc

namespace {

Status ComputeSplitV(KernelContext& ctx) {
  const Tensor& value = ctx.input(0);
  std::vector<int64_t> sizes;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "size_splits", &sizes));
  int64_t requested_axis = 0;
  TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(2), "axis", &requested_axis));
  int axis = 0;
  TERN_RETURN_IF_ERROR(ResolveAxis(ctx, requested_axis, value, "value", &axis));
  if (static_cast<int>(sizes.size()) != ctx.num_outputs()) {
    return ctx.Error("size_splits has " + std::to_string(sizes.size()) +
                     " entries but num_split is " + std::to_string(ctx.num_outputs()));
  }
  const int64_t total = value.dim(axis);
  int64_t known = 0;
  int unknown = -1;
  for (size_t k = 0; k < sizes.size(); ++k) {
    if (sizes[k] == -1) {
      if (unknown >= 0) return ctx.Error("size_splits has more than one -1");
      unknown = static_cast<int>(k);
    } else if (sizes[k] < 0) {
      return ctx.Error("size_splits[" + std::to_string(k) + "] = " + std::to_string(sizes[k]) +
                       " is negative");
    } else {
      known += sizes[k];
    }
  }
  if (unknown >= 0 && known <= total) sizes[unknown] = total - known;
  if ((unknown >= 0 && known > total) || (unknown < 0 && known != total)) {
    return ctx.Error("size_splits " + TensorShape(sizes).DebugString() + " do not add up to " +
                     std::to_string(total) + ", dimension " + std::to_string(axis) +
                     " of value shape " + value.shape().DebugString());
  }
  return SplitToOutputs(ctx, value, axis, sizes);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSplitVKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSplitV>::Create(c);
}

}  // namespace tern
