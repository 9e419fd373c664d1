// Ceil: the smallest integer not below x, elementwise (float, double).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Ceil, std::ceil(x))

}  // namespace tern
