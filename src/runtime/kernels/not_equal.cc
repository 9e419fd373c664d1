// NotEqual: a != b elementwise with broadcasting, as bool (strings too).
#include "runtime/kernels/internal/compare.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeNotEqual(KernelContext& ctx) {
  return CompareBroadcast<true>(ctx, [](const auto& a, const auto& b) { return a != b; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateNotEqualKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeNotEqual>::Create(c);
}

}  // namespace tern
