// AssignVariableOp: stores input 1 in the resource variable of input 0.
#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeAssignVariable(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(Variable * variable, VariableInput(ctx, 0));
  variable->Assign(ctx.input(1));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAssignVariableOpKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeAssignVariable>::Create(c);
}

}  // namespace tern
