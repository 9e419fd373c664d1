// Round: x rounded to the nearest integer, halves to even (banker's rounding, as TensorFlow and
// NumPy round), elementwise; integers are returned unchanged.
#include <cmath>
#include <type_traits>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeRound(KernelContext& ctx) {
  return UnaryNumeric(ctx, []<typename T>(T x) -> T {
    if constexpr (std::is_integral_v<T>) {
      return x;
    } else {
      return std::nearbyint(x);  // the default rounding mode rounds halves to even
    }
  });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRoundKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeRound>::Create(c);
}

}  // namespace tern
