// Abs: |x|, elementwise; the most negative integer stays itself (wraps), like TensorFlow.
#include <cmath>
#include <type_traits>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeAbs(KernelContext& ctx) {
  return UnaryNumeric(ctx, []<typename T>(T x) -> T {
    if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else if constexpr (std::is_integral_v<T>) {
      return x < 0 ? static_cast<T>(std::make_unsigned_t<T>(0) -
                                    static_cast<std::make_unsigned_t<T>>(x))
                   : x;
    } else {
      return std::fabs(x);
    }
  });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAbsKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeAbs>::Create(c);
}

}  // namespace tern
