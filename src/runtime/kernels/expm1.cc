// Expm1: exp(x) - 1, elementwise, accurate for small x (float, double).
#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_ARRAY_KERNEL(Expm1, expm1)

}  // namespace tern
