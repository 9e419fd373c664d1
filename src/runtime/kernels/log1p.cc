// Log1p: log(1 + x), elementwise, accurate for small x (float, double).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Log1p, std::log1p(x))

}  // namespace tern
