// Acos: arccosine, elementwise; NaN outside [-1, 1] (float, double).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Acos, std::acos(x))

}  // namespace tern
