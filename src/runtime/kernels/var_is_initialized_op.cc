// VarIsInitializedOp: whether the resource variable has a value.
#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeVarIsInitialized(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(Variable * variable, VariableInput(ctx, 0));
  ctx.set_output(0, Tensor::Scalar<bool>(variable->initialized()));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateVarIsInitializedOpKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeVarIsInitialized>::Create(c);
}

}  // namespace tern
