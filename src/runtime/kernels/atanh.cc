// Atanh: inverse hyperbolic tangent, elementwise (float, double).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Atanh, std::atanh(x))

}  // namespace tern
