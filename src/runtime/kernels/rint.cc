// Rint: x rounded to the nearest integer, halves to even, elementwise (float, double).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Rint, std::nearbyint(x))

}  // namespace tern
