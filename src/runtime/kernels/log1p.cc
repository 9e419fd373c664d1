// Log1p: log(1 + x), elementwise, accurate for small x (float, double).
#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_ARRAY_KERNEL(Log1p, log1p)

}  // namespace tern
