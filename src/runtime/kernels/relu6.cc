// Relu6: min(max(x, 0), 6), elementwise; NaN stays NaN (MobileNet).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Relu6, x < T(0) ? T(0) : (x > T(6) ? T(6) : x))

}  // namespace tern
