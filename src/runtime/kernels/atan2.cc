// Atan2: atan(y / x) in the quadrant of (x, y), with broadcasting (float, double).
#include <cmath>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeAtan2(KernelContext& ctx) {
  return FloatBroadcast(ctx, [](auto y, auto x) { return std::atan2(y, x); });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAtan2Kernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeAtan2>::Create(c);
}

}  // namespace tern
