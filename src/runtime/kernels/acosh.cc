// Acosh: inverse hyperbolic cosine, elementwise; NaN below 1 (float, double).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Acosh, std::acosh(x))

}  // namespace tern
