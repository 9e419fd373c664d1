// OnesLike: a tensor of ones (true for bool) with the input's shape and dtype.
#include <Eigen/Core>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeOnesLike(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, in.dtype(), in.shape()));
  const int64_t n = in.num_elements();
  auto fill = [&]<typename T>() -> Status {
    T* o = out->flat<T>();
    for (int64_t i = 0; i < n; ++i) o[i] = T(1);
    return Status::Ok();
  };
  switch (in.dtype()) {
    case tensorflow::DT_BOOL: return fill.template operator()<bool>();
    case tensorflow::DT_HALF: return fill.template operator()<Eigen::half>();
    default: return DispatchRealNumber(in.dtype(), "x", fill, ctx);
  }
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateOnesLikeKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeOnesLike>::Create(c);
}

}  // namespace tern
