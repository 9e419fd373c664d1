// GreaterEqual: a >= b elementwise with broadcasting, as bool.
#include "runtime/kernels/internal/compare.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeGreaterEqual(KernelContext& ctx) {
  return CompareBroadcast<false>(ctx, [](const auto& a, const auto& b) { return a >= b; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateGreaterEqualKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeGreaterEqual>::Create(c);
}

}  // namespace tern
