// Rank: the number of dimensions of the input, as an int32 scalar.
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeRank(KernelContext& ctx) {
  ctx.set_output(0, Tensor::Scalar<int32_t>(ctx.input(0).rank()));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRankKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeRank>::Create(c);
}

}  // namespace tern
