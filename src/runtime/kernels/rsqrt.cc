// Rsqrt: 1 / sqrt(x), elementwise (batch normalization).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Rsqrt, T(1) / std::sqrt(x))

}  // namespace tern
