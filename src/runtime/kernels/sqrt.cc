// Sqrt: square root, elementwise; NaN below zero, like TensorFlow.
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Sqrt, std::sqrt(x))

}  // namespace tern
