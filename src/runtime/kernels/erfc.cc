// Erfc: the complementary error function 1 - erf(x), elementwise, computed directly so that
// large x keeps its tiny value (Keras 3's exact gelu is 0.5 * x * erfc(-x / sqrt(2))).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Erfc, std::erfc(x))

}  // namespace tern
