// Sign: -1, 0 or 1 by the sign of x, elementwise; NaN stays NaN; -0.0 gives 0.
#include <type_traits>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeSign(KernelContext& ctx) {
  return UnaryNumeric(ctx, []<typename T>(T x) -> T {
    if constexpr (!std::is_integral_v<T>) {
      if (x != x) return x;
    }
    return static_cast<T>((T(0) < x) - (x < T(0)));
  });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSignKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSign>::Create(c);
}

}  // namespace tern
