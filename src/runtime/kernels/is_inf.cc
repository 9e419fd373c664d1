// IsInf: whether each element is +inf or -inf, as a bool tensor (float, double, float16).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_PREDICATE_KERNEL(IsInf, std::isinf(x))

}  // namespace tern
