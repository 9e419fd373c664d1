// DivNoNan: x / y with broadcasting, 0 wherever y is 0 (even for x inf or NaN); float, double.
#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeDivNoNan(KernelContext& ctx) {
  return FloatBroadcast(ctx, [](auto x, auto y) { return y == 0 ? decltype(x)(0) : x / y; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateDivNoNanKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeDivNoNan>::Create(c);
}

}  // namespace tern
