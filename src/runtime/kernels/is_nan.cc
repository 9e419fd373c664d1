// IsNan: whether each element is NaN, as a bool tensor (float, double, float16).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_PREDICATE_KERNEL(IsNan, std::isnan(x))

}  // namespace tern
