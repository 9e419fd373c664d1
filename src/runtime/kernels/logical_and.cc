// LogicalAnd: a && b for bool tensors with broadcasting.
#include "runtime/kernels/internal/compare.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeLogicalAnd(KernelContext& ctx) {
  return CompareBroadcast<false>(ctx, [](const auto& a, const auto& b) { return a && b; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateLogicalAndKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeLogicalAnd>::Create(c);
}

}  // namespace tern
