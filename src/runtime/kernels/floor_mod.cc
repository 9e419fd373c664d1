// FloorMod: a - floor(a / b) * b with broadcasting (the result takes b's sign, like Python's %);
// integer b == 0 is an error, as in TensorFlow.
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct FloorModFn {
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        // min / -1 overflows; the wrapped quotient is min and the remainder 0.
        if (a == std::numeric_limits<T>::min() && b == T(-1)) return T(0);
      }
      T r = static_cast<T>(a % b);
      if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
      return r;
    } else {
      T r = std::fmod(a, b);
      if (r != 0 && ((r < 0) != (b < 0))) r += b;
      return r;
    }
  }
};

Status ComputeFloorMod(KernelContext& ctx) {
  TERN_RETURN_IF_ERROR(RejectIntegerZeroDivisor(ctx, ctx.input(1)));
  return ArithmeticBroadcast<FloorModFn>(ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFloorModKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeFloorMod>::Create(c);
}

}  // namespace tern
