// Xlogy: x * log(y) with broadcasting, 0 wherever x is 0 (even for y 0 or NaN); float, double.
#include <cmath>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeXlogy(KernelContext& ctx) {
  return FloatBroadcast(ctx,
                        [](auto x, auto y) { return x == 0 ? decltype(x)(0) : x * std::log(y); });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateXlogyKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeXlogy>::Create(c);
}

}  // namespace tern
