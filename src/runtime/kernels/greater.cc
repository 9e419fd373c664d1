// Greater: a > b elementwise with broadcasting, as bool.
#include "runtime/kernels/internal/compare.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeGreater(KernelContext& ctx) {
  return CompareBroadcast<false>(ctx, [](const auto& a, const auto& b) { return a > b; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateGreaterKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeGreater>::Create(c);
}

}  // namespace tern
