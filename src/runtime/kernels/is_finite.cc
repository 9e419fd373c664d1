// IsFinite: whether each element is neither NaN nor infinite, as a bool tensor (float, double,
// float16).
#include <cmath>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_PREDICATE_KERNEL(IsFinite, std::isfinite(x))

}  // namespace tern
