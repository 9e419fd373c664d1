// ReadVariableOp: the current value of a resource variable.
#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeReadVariable(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(Variable * variable, VariableInput(ctx, 0));
  auto value = variable->Read();
  if (!value.ok()) return ctx.Error(value.status().message());
  ctx.set_output(0, std::move(value).value());
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateReadVariableOpKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeReadVariable>::Create(c);
}

}  // namespace tern
