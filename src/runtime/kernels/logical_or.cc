// LogicalOr: a || b for bool tensors with broadcasting.
#include "runtime/kernels/internal/compare.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeLogicalOr(KernelContext& ctx) {
  return CompareBroadcast<false>(ctx, [](const auto& a, const auto& b) { return a || b; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateLogicalOrKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeLogicalOr>::Create(c);
}

}  // namespace tern
