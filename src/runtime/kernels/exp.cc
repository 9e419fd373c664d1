// Exp: e^x, elementwise.
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Exp, std::exp(x))

}  // namespace tern
