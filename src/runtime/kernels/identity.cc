// Identity and its look-alikes (Snapshot, StopGradient, PlaceholderWithDefault when not fed):
// output 0 is input 0, sharing the buffer.
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeIdentity(KernelContext& ctx) {
  ctx.set_output(0, ctx.input(0));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateIdentityKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeIdentity>::Create(c);
}

}  // namespace tern
