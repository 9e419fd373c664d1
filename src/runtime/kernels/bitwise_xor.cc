// BitwiseXor: x ^ y with broadcasting, integer types.
#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeBitwiseXor(KernelContext& ctx) {
  return IntegerBroadcast(ctx, [](auto x, auto y) { return static_cast<decltype(x)>(x ^ y); });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateBitwiseXorKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeBitwiseXor>::Create(c);
}

}  // namespace tern
