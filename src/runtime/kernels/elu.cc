// Elu: x for x >= 0, exp(x) - 1 below, elementwise. TensorFlow computes exp(x) - 1 rather than
// expm1(x), and so does this kernel, so tiny negative inputs round the same way. On half and
// bfloat16 TensorFlow rounds exp(x) to the narrow type before subtracting one; so does this.
#include <cmath>

#include "runtime/kernels/internal/narrow_float.h"
#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeElu(KernelContext& ctx) {
  if (IsNarrowFloat(ctx.input(0).dtype())) {
    return UnaryNarrow(ctx, []<typename N>(float x) {
      return x < 0.0f ? RoundThrough<N>(std::exp(x)) - 1.0f : x;
    });
  }
  return UnaryFloat(ctx, []<typename T>(T x) -> T { return x < T(0) ? std::exp(x) - T(1) : x; });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateEluKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeElu>::Create(c);
}

}  // namespace tern
