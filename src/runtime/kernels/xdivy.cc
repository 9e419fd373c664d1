// Xdivy: x / y with broadcasting, 0 wherever x is 0 (even for y 0 or NaN); float, double.
#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeXdivy(KernelContext& ctx) {
  return FloatBroadcast(ctx, [](auto x, auto y) { return x == 0 ? decltype(x)(0) : x / y; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateXdivyKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeXdivy>::Create(c);
}

}  // namespace tern
