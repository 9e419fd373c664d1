// Neg: -x, elementwise; integers wrap (the most negative value stays), like TensorFlow; float16
// flips the sign bit (exact, as Eigen::half negation is).
#include <Eigen/Core>

#include <cmath>
#include <type_traits>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeNeg(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() == tensorflow::DT_HALF) {
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
    const Eigen::half* in = x.flat<Eigen::half>();
    Eigen::half* o = out->flat<Eigen::half>();
    for (int64_t i = 0, n = x.num_elements(); i < n; ++i) o[i] = -in[i];
    return Status::Ok();
  }
  return UnaryNumeric(ctx, []<typename T>(T x) -> T {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(std::make_unsigned_t<T>(0) - static_cast<std::make_unsigned_t<T>>(x));
    } else {
      return -x;
    }
  });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateNegKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeNeg>::Create(c);
}

}  // namespace tern
