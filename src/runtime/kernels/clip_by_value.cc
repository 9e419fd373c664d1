// ClipByValue: min(max(t, clip_value_min), clip_value_max) elementwise, computed as TensorFlow
// does (min with the upper bound first, so min > max gives min; NaN in t stays NaN). Each bound
// is a scalar or has t's shape.
#include <Eigen/Core>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeClipByValue(KernelContext& ctx) {
  const Tensor& t = ctx.input(0);
  const Tensor& lo = ctx.input(1);
  const Tensor& hi = ctx.input(2);
  for (const auto& [bound, name] : {std::pair{&lo, "clip_value_min"}, {&hi, "clip_value_max"}}) {
    if (bound->dtype() != t.dtype()) {
      return ctx.Error(std::string(name) + " has dtype " + DataTypeName(bound->dtype()) +
                       " but t has " + DataTypeName(t.dtype()));
    }
    if (bound->num_elements() != 1 && bound->shape() != t.shape()) {
      return ctx.Error(std::string(name) + " must be a scalar or have t's shape " +
                       t.shape().DebugString() + ", got " + bound->shape().DebugString());
    }
  }
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, t.dtype(), t.shape()));
  auto clip = [&]<typename T>() -> Status {
    const T* x = t.flat<T>();
    const T* a = lo.flat<T>();
    const T* b = hi.flat<T>();
    const bool lo_scalar = lo.num_elements() == 1, hi_scalar = hi.num_elements() == 1;
    T* o = out->flat<T>();
    for (int64_t i = 0, n = t.num_elements(); i < n; ++i) {
      const T upper = b[hi_scalar ? 0 : i], lower = a[lo_scalar ? 0 : i];
      T v = upper < x[i] ? upper : x[i];
      o[i] = v < lower ? lower : v;
    }
    return Status::Ok();
  };
  if (t.dtype() == tensorflow::DT_HALF) return clip.template operator()<Eigen::half>();
  return DispatchRealNumber(t.dtype(), "t", clip, ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateClipByValueKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeClipByValue>::Create(c);
}

}  // namespace tern
