// Log: natural logarithm, elementwise; -inf at 0 and NaN below, like TensorFlow.
#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_ARRAY_KERNEL(Log, log)

}  // namespace tern
