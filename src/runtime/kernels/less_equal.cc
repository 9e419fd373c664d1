// LessEqual: a <= b elementwise with broadcasting, as bool.
#include "runtime/kernels/internal/compare.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeLessEqual(KernelContext& ctx) {
  return CompareBroadcast<false>(ctx, [](const auto& a, const auto& b) { return a <= b; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateLessEqualKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeLessEqual>::Create(c);
}

}  // namespace tern
