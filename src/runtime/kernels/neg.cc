// Neg: -x, elementwise; integers wrap (the most negative value stays), like TensorFlow.
#include <cmath>
#include <type_traits>

#include "runtime/kernels/kernels.h"
#include "runtime/kernels/unary.h"

namespace tern {
namespace {

Status ComputeNeg(KernelContext& ctx) {
  return UnaryNumeric(ctx, []<typename T>(T x) -> T { if constexpr (std::is_integral_v<T>) { return static_cast<T>(std::make_unsigned_t<T>(0) - static_cast<std::make_unsigned_t<T>>(x)); } else { return -x; } });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateNegKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeNeg>::Create(c);
}

}  // namespace tern
