// Fill: a tensor of shape `dims` (1-D int32/int64, non-negative) with every element `value`
// (a scalar of any dtype).
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeFill(KernelContext& ctx) {
  const Tensor& value = ctx.input(1);
  std::vector<int64_t> dims;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(0), "dims", &dims));
  if (value.rank() != 0) {
    return ctx.Error("value must be a scalar, got shape " + value.shape().DebugString());
  }
  for (int64_t d : dims) {
    if (d < 0)
      return ctx.Error("dims must be non-negative, got " + TensorShape(dims).DebugString());
  }
  return DispatchByElementSize(
      value.dtype(), "value",
      [&]<typename T>() -> Status {
        TERN_ASSIGN_OR_RETURN(Tensor * out,
                              ctx.AllocateOutput(0, value.dtype(), TensorShape(dims)));
        const T v = value.flat<T>()[0];
        T* o = out->flat<T>();
        for (int64_t i = 0, n = out->num_elements(); i < n; ++i) o[i] = v;
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFillKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeFill>::Create(c);
}

}  // namespace tern
