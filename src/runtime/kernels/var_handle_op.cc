// VarHandleOp: a handle to the session's resource variable named by attr shared_name.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"
#include "runtime/state/resources.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateVarHandleOpKernel(const KernelConstruction& c) {
  const std::string key = VariableResourceKey(c.GetStringAttrOr("container", ""),
                                              c.GetStringAttrOr("shared_name", ""), c.name());
  return std::unique_ptr<OpKernel>(
      new FixedOutputKernel(Tensor::FromResource(c.resources()->GetOrCreateVariable(key))));
}

}  // namespace tern
