// Sqrt: square root, elementwise; NaN below zero, like TensorFlow.
#include <cmath>

#include "runtime/kernels/kernels.h"
#include "runtime/kernels/unary.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Sqrt, std::sqrt(x))

}  // namespace tern
