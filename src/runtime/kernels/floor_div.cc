// FloorDiv: floor(a / b) with broadcasting; integer b == 0 is an error, as in TensorFlow.
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct FloorDivFn {
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        // min / -1 overflows; the wrapped quotient is min and the remainder 0.
        if (a == std::numeric_limits<T>::min() && b == T(-1)) return a;
      }
      T q = static_cast<T>(a / b);
      if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
      return q;
    } else {
      return std::floor(a / b);
    }
  }
};

Status ComputeFloorDiv(KernelContext& ctx) {
  TERN_RETURN_IF_ERROR(RejectIntegerZeroDivisor(ctx, ctx.input(1)));
  return ArithmeticBroadcast<FloorDivFn>(ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFloorDivKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeFloorDiv>::Create(c);
}

}  // namespace tern
