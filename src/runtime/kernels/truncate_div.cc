// TruncateDiv: x / y with broadcasting, truncated toward zero (-7 / 5 = -1, C's rule, not
// Python's), integers and floats alike; a zero integer divisor is an error.
// Div (TF1's `tf.div`): the same for integers, plain division for floats.
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// C division (integers truncate toward zero; min / -1 wraps to min); floats divide and, with
// kTruncateFloats, truncate too.
template <bool kTruncateFloats>
struct Division {
  template <typename T>
  struct Fn {
    static constexpr bool kSupportsHalf = true;
    T operator()(T a, T b) const {
      if constexpr (std::is_integral_v<T>) {
        if constexpr (std::is_signed_v<T>) {
          if (a == std::numeric_limits<T>::min() && b == T(-1)) return a;
        }
        return static_cast<T>(a / b);
      } else if constexpr (kTruncateFloats) {
        return static_cast<T>(std::trunc(static_cast<double>(a / b)));
      } else {
        return static_cast<T>(a / b);
      }
    }
  };
};

template <bool kTruncateFloats>
Status ComputeDivision(KernelContext& ctx) {
  if (ctx.input(1).dtype() != tensorflow::DT_HALF) {  // half divides like float: x/0 is inf
    TERN_RETURN_IF_ERROR(RejectIntegerZeroDivisor(ctx, ctx.input(1)));
  }
  return ArithmeticBroadcast<Division<kTruncateFloats>::template Fn>(ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTruncateDivKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeDivision<true>>::Create(c);
}

StatusOr<std::unique_ptr<OpKernel>> CreateDivKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeDivision<false>>::Create(c);
}

}  // namespace tern
