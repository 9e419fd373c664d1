// AddN: the elementwise sum of N tensors of one shape and dtype; integers wrap.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeAddN(KernelContext& ctx) {
  const Tensor& first = ctx.input(0);
  for (int i = 1; i < ctx.num_inputs(); ++i) {
    if (ctx.input(i).shape() != first.shape() || ctx.input(i).dtype() != first.dtype()) {
      return ctx.Error("input " + std::to_string(i) + " is " + ctx.input(i).DebugString() +
                       ", input 0 is " + first.DebugString() + "; all must match");
    }
  }
  return DispatchRealNumber(
      first.dtype(), "inputs",
      [&]<typename T>() -> Status {
        TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, first.dtype(), first.shape()));
        T* o = out->flat<T>();
        const int64_t n = first.num_elements();
        for (int i = 0; i < ctx.num_inputs(); ++i) {
          const T* p = ctx.input(i).flat<T>();
          for (int64_t j = 0; j < n; ++j) o[j] = WrappingAdd<T>(o[j], p[j]);
        }
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAddNKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeAddN>::Create(c);
}

}  // namespace tern
