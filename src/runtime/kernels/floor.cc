// Floor: the largest integer not above x, elementwise (float, double).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Floor, std::floor(x))

}  // namespace tern
