// Complex: real + i * imag, elementwise with NumPy broadcasting: float to complex64, double to
// complex128 (Tout). keras_hub's FNet builds its Fourier mixing input with it.
#include <complex>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename Real>
Status Combine(KernelContext& ctx, DataType out_dtype) {
  const Tensor& re = ctx.input(0);
  const Tensor& im = ctx.input(1);
  auto shape = BroadcastShape(re.shape(), im.shape());
  if (!shape.ok()) return ctx.Error(shape.status().message());
  TERN_ASSIGN_OR_RETURN(Tensor * out,
                        ctx.AllocateOutput(0, out_dtype, *shape, Tensor::Contents::kUnset));
  const std::vector<int64_t> ri = BroadcastIndex(re.shape(), *shape);
  const std::vector<int64_t> ii = BroadcastIndex(im.shape(), *shape);
  auto* o = out->flat<std::complex<Real>>();
  for (int64_t k = 0; k < out->num_elements(); ++k) {
    o[k] = {re.flat<Real>()[ri[k]], im.flat<Real>()[ii[k]]};
  }
  return Status::Ok();
}

Status ComputeComplex(KernelContext& ctx) {
  const Tensor& re = ctx.input(0);
  const Tensor& im = ctx.input(1);
  if (re.dtype() != im.dtype()) {
    return ctx.Error("real and imag have different dtypes: " + DataTypeName(re.dtype()) + " and " +
                     DataTypeName(im.dtype()));
  }
  if (re.dtype() == tensorflow::DT_FLOAT) return Combine<float>(ctx, tensorflow::DT_COMPLEX64);
  if (re.dtype() == tensorflow::DT_DOUBLE) return Combine<double>(ctx, tensorflow::DT_COMPLEX128);
  return ctx.Error("real and imag must be float or double, got " + DataTypeName(re.dtype()));
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateComplexKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeComplex>::Create(c);
}

}  // namespace tern
