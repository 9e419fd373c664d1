// RealDiv: a / b elementwise with broadcasting for float and double (IEEE: x/0 is +-inf or NaN).
#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeRealDiv(KernelContext& ctx) {
  return FloatBroadcast(ctx, [](auto a, auto b) { return a / b; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRealDivKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeRealDiv>::Create(c);
}

}  // namespace tern
