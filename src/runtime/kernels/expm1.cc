// Expm1: exp(x) - 1, elementwise, accurate for small x (float, double).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Expm1, std::expm1(x))

}  // namespace tern
