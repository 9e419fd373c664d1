// Selu: scale * x for x >= 0, scale * alpha * (exp(x) - 1) below, elementwise, with the
// self-normalizing constants of Klambauer et al. (the values TensorFlow hard-codes).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
T Selu(T x) {
  const T scale = static_cast<T>(1.0507009873554804934193349852946);
  const T scale_alpha = static_cast<T>(1.7580993408473768599402175208123);
  return x < T(0) ? scale_alpha * (std::exp(x) - T(1)) : scale * x;
}

}  // namespace

TERN_UNARY_FLOAT_KERNEL(Selu, Selu(x))

}  // namespace tern
