// Elu: x for x >= 0, exp(x) - 1 below, elementwise. TensorFlow computes exp(x) - 1 rather than
// expm1(x), and so does this kernel, so tiny negative inputs round the same way.
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Elu, x < T(0) ? std::exp(x) - T(1) : x)

}  // namespace tern
