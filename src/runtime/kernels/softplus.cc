// Softplus: log(1 + exp(x)), elementwise. Like TensorFlow, inputs beyond a threshold where the
// result equals x (large x) or exp(x) (very negative x) to the dtype's precision take those
// forms, so nothing overflows; the threshold is log(epsilon) + 2 of the dtype.
#include <cmath>
#include <limits>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
T Softplus(T x) {
  static const T threshold = std::log(std::numeric_limits<T>::epsilon()) + T(2);
  if (x > -threshold) return x;
  if (x < threshold) return std::exp(x);
  return std::log1p(std::exp(x));
}

}  // namespace

TERN_UNARY_FLOAT_KERNEL(Softplus, Softplus(x))

}  // namespace tern
