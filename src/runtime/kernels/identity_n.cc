// IdentityN: output i is input i, sharing buffers (Keras uses it to attach custom gradients,
// e.g. around gelu and swish).
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeIdentityN(KernelContext& ctx) {
  if (ctx.num_inputs() != ctx.num_outputs()) {
    return ctx.Error("has " + std::to_string(ctx.num_inputs()) + " inputs but " +
                     std::to_string(ctx.num_outputs()) + " outputs (attr T)");
  }
  for (int i = 0; i < ctx.num_inputs(); ++i) ctx.set_output(i, ctx.input(i));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateIdentityNKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeIdentityN>::Create(c);
}

}  // namespace tern
