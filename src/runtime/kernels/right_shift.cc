// RightShift: x >> y with broadcasting, integer types; arithmetic for signed types (the
// sign fills in), y clamped to [0, bits - 1].
#include <type_traits>

#include "runtime/kernels/internal/bit_shift.h"
#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeRightShift(KernelContext& ctx) {
  return IntegerBroadcast(ctx, [](auto x, auto y) {
    using T = decltype(x);
    return static_cast<T>(x >> ClampedShift(y));
  });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRightShiftKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeRightShift>::Create(c);
}

}  // namespace tern
