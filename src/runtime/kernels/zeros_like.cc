// ZerosLike: a zero-filled tensor (empty strings, false) of the input's shape and dtype.
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeZerosLike(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  return ctx.AllocateOutput(0, in.dtype(), in.shape()).status();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateZerosLikeKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeZerosLike>::Create(c);
}

}  // namespace tern
