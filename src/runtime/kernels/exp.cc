// Exp: e^x, elementwise.
#include <cmath>

#include "runtime/kernels/kernels.h"
#include "runtime/kernels/unary.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Exp, std::exp(x))

}  // namespace tern
