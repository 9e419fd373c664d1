// TruncateMod: the remainder of x / y truncated toward zero, with broadcasting (the sign of
// x, C's rule); a zero integer divisor is an error.
// Mod is the same op under its TF1 name.
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// C remainder: the sign of the dividend (min % -1 is 0); floats as fmod.
template <typename T>
struct TruncatingModFn {
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (a == std::numeric_limits<T>::min() && b == T(-1)) return T(0);
      }
      return static_cast<T>(a % b);
    } else {
      return static_cast<T>(std::fmod(a, b));
    }
  }
};

Status ComputeTruncateMod(KernelContext& ctx) {
  const DataType dtype = ctx.input(0).dtype();
  if (dtype != tensorflow::DT_INT32 && dtype != tensorflow::DT_INT64 &&
      dtype != tensorflow::DT_FLOAT && dtype != tensorflow::DT_DOUBLE) {
    return ctx.Error("dtype " + DataTypeName(dtype) +
                     " is not supported (int32, int64, float, double)");
  }
  TERN_RETURN_IF_ERROR(RejectIntegerZeroDivisor(ctx, ctx.input(1)));
  return ArithmeticBroadcast<TruncatingModFn>(ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTruncateModKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeTruncateMod>::Create(c);
}

StatusOr<std::unique_ptr<OpKernel>> CreateModKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeTruncateMod>::Create(c);
}

}  // namespace tern
