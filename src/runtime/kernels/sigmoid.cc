// Sigmoid: 1 / (1 + exp(-x)), elementwise; saturates to 0 and 1 without overflow. float uses
// Eigen's vectorized logistic (what TensorFlow's CPU kernel computes); double the formula. half
// and bfloat16 follow Eigen's generic logistic as TensorFlow runs it: e = exp(x) and 1 + e each
// rounded to the narrow type, then e / (1 + e), and 1 where e overflowed.
#include <Eigen/Core>

#include <cmath>

#include "runtime/kernels/internal/narrow_float.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeSigmoid(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t n = x.num_elements();
  switch (x.dtype()) {
    case tensorflow::DT_FLOAT: {
      TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
      Eigen::Map<Eigen::ArrayXf>(out->flat<float>(), n) =
          Eigen::Map<const Eigen::ArrayXf>(x.flat<float>(), n).logistic();
      return Status::Ok();
    }
    case tensorflow::DT_DOUBLE: {
      TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
      const double* in = x.flat<double>();
      double* o = out->flat<double>();
      for (int64_t i = 0; i < n; ++i) {
        o[i] = in[i] >= 0 ? 1 / (1 + std::exp(-in[i])) : std::exp(in[i]) / (1 + std::exp(in[i]));
      }
      return Status::Ok();
    }
    case tensorflow::DT_HALF:
    case tensorflow::DT_BFLOAT16:
      return UnaryNarrow(ctx, []<typename N>(float v) {
        const float e = RoundThrough<N>(std::exp(v));
        return std::isinf(e) ? 1.0f : e / RoundThrough<N>(1.0f + e);
      });
    default:
      return ctx.Error("dtype " + DataTypeName(x.dtype()) +
                       " is not supported (float, double, half, bfloat16)");
  }
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSigmoidKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSigmoid>::Create(c);
}

}  // namespace tern
