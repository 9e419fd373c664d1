// AssignAddVariableOp: resource variable += value (same dtype and shape).
#include "runtime/kernels/internal/assign_add.h"
#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeAssignAddVariable(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(Variable * variable, VariableInput(ctx, 0));
  return AddToVariable(ctx, *variable, ctx.input(1));
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAssignAddVariableOpKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeAssignAddVariable>::Create(c);
}

}  // namespace tern
