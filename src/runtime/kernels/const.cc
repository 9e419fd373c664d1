// Const: the tensor in attr "value", parsed once at load and shared by every run.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateConstKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(Tensor value, c.GetTensorAttr("value"));
  return std::unique_ptr<OpKernel>(new FixedOutputKernel(std::move(value)));
}

}  // namespace tern
