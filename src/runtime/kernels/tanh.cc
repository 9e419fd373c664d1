// Tanh: hyperbolic tangent, elementwise (float, double).
#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_ARRAY_KERNEL(Tanh, tanh)

}  // namespace tern
