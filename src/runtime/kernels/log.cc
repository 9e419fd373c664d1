// Log: natural logarithm, elementwise; -inf at 0 and NaN below, like TensorFlow.
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Log, std::log(x))

}  // namespace tern
