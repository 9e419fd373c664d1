// AssignAdd (TF1): ref variable += value; outputs the reference, like Assign.
#include "runtime/kernels/internal/assign_add.h"

#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeAssignAdd(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(Variable * variable, VariableInput(ctx, 0));
  TERN_RETURN_IF_ERROR(AddToVariable(ctx, *variable, ctx.input(1)));
  ctx.set_output(0, ctx.input(0));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAssignAddKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeAssignAdd>::Create(c);
}

}  // namespace tern
