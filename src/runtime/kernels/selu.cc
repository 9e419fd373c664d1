// Selu: scale * x for x >= 0, scale * alpha * (exp(x) - 1) below, elementwise, with the
// self-normalizing constants of Klambauer et al. (the values TensorFlow hard-codes). On half and
// bfloat16 TensorFlow holds the constants in the narrow type and rounds exp(x) and exp(x) - 1
// before scaling; so does this.
#include <cmath>

#include "runtime/kernels/internal/narrow_float.h"
#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

constexpr double kScale = 1.0507009873554804934193349852946;
constexpr double kScaleAlpha = 1.7580993408473768599402175208123;

template <typename T>
T Selu(T x) {
  const T scale = static_cast<T>(kScale);
  const T scale_alpha = static_cast<T>(kScaleAlpha);
  return x < T(0) ? scale_alpha * (std::exp(x) - T(1)) : scale * x;
}

Status ComputeSelu(KernelContext& ctx) {
  if (IsNarrowFloat(ctx.input(0).dtype())) {
    return UnaryNarrow(ctx, []<typename N>(float x) {
      const float scale = RoundThrough<N>(static_cast<float>(kScale));
      const float scale_alpha = RoundThrough<N>(static_cast<float>(kScaleAlpha));
      return x < 0.0f ? scale_alpha * RoundThrough<N>(RoundThrough<N>(std::exp(x)) - 1.0f)
                      : scale * x;
    });
  }
  return UnaryFloat(ctx, []<typename T>(T x) -> T { return Selu(x); });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSeluKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSelu>::Create(c);
}

}  // namespace tern
