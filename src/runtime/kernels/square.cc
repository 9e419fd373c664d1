// Square: x * x, elementwise; integers wrap.
#include <cmath>
#include <type_traits>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeSquare(KernelContext& ctx) {
  return UnaryNumeric(ctx, []<typename T>(T x) -> T {
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<std::conditional_t<(sizeof(T) < 4), int32_t, T>>;
      return static_cast<T>(static_cast<U>(x) * static_cast<U>(x));
    } else {
      return x * x;
    }
  });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSquareKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSquare>::Create(c);
}

}  // namespace tern
