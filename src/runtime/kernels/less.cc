// Less: a < b elementwise with broadcasting, as bool.
#include "runtime/kernels/internal/compare.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeLess(KernelContext& ctx) {
  return CompareBroadcast<false>(ctx, [](const auto& a, const auto& b) { return a < b; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateLessKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeLess>::Create(c);
}

}  // namespace tern
