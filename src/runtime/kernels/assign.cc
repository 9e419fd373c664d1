// Assign (TF1): stores input 1 in the ref variable of input 0 and outputs the reference.
#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeAssign(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(Variable * variable, VariableInput(ctx, 0));
  variable->Assign(ctx.input(1));
  ctx.set_output(0, ctx.input(0));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAssignKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeAssign>::Create(c);
}

}  // namespace tern
