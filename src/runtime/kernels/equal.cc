// Equal: a == b elementwise with broadcasting, as bool (strings too).
#include "runtime/kernels/internal/compare.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeEqual(KernelContext& ctx) {
  return CompareBroadcast<true>(ctx, [](const auto& a, const auto& b) { return a == b; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateEqualKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeEqual>::Create(c);
}

}  // namespace tern
