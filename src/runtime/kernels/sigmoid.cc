// Sigmoid: 1 / (1 + exp(-x)), elementwise; saturates to 0 and 1 without overflow.
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Sigmoid, x >= T(0) ? T(1) / (T(1) + std::exp(-x))
                                           : std::exp(x) / (T(1) + std::exp(x)))

}  // namespace tern
