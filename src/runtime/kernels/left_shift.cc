// LeftShift: x << y with broadcasting, integer types; bits shifted out are lost and y is
// clamped to [0, bits - 1].
#include <type_traits>

#include "runtime/kernels/internal/bit_shift.h"
#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeLeftShift(KernelContext& ctx) {
  return IntegerBroadcast(ctx, [](auto x, auto y) {
    using T = decltype(x);
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(x) << ClampedShift(y)));
  });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateLeftShiftKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeLeftShift>::Create(c);
}

}  // namespace tern
