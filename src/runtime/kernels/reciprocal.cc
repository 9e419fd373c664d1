// Reciprocal: 1 / x, elementwise (float, double; 1/0 is inf). Inv is the same op under its TF1
// name.
#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {

TERN_UNARY_FLOAT_KERNEL(Reciprocal, T(1) / x)

StatusOr<std::unique_ptr<OpKernel>> CreateInvKernel(const KernelConstruction& c) {
  return CreateReciprocalKernel(c);
}

}  // namespace tern
