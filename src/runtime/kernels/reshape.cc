// Reshape: input 0 with the shape in input 1 (int32 or int64; at most one -1 is inferred).
#include "runtime/kernels/internal/reshaped_shape.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeReshape(KernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  StatusOr<TensorShape> shape = ReshapedShape(input.shape(), ctx.input(1));
  if (!shape.ok()) return ctx.Error(shape.status().message());
  ctx.set_output(0, input.WithShape(std::move(*shape)));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateReshapeKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeReshape>::Create(c);
}

}  // namespace tern
