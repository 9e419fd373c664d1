// Lgamma: log |Gamma(x)|, elementwise. lgamma_r, not lgamma: lgamma writes the sign to the
// global `signgam`, a data race between concurrent runs.
#include <math.h>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
T Lgamma(T x) {
  int sign = 0;
  if constexpr (sizeof(T) == sizeof(float)) {
    return lgammaf_r(x, &sign);
  } else {
    return lgamma_r(x, &sign);
  }
}

}  // namespace

TERN_UNARY_FLOAT_KERNEL(Lgamma, Lgamma(x))

}  // namespace tern
