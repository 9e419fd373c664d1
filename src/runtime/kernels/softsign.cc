// Softsign: x / (1 + |x|), elementwise.
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Softsign, x / (std::abs(x) + T(1)))

}  // namespace tern
