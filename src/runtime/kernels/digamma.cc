// Digamma: psi(x) = d/dx log Gamma(x), elementwise, with Eigen's implementation (the one
// TensorFlow uses): NaN at zero and the negative integers.
#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Digamma, Eigen::numext::digamma(x))

}  // namespace tern
