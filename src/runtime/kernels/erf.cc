// Erf: the error function, elementwise (Keras' exact gelu).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Erf, std::erf(x))

}  // namespace tern
