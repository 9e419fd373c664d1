// Exp: e^x, elementwise.
#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_ARRAY_KERNEL(Exp, exp)

}  // namespace tern
