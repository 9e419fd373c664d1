// Imag: the imaginary part of a complex64 (to float) or complex128 (to double) tensor, elementwise.
// Keras 3's MelSpectrogram takes it of tf.signal.stft's RFFT.
#include <complex>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeImag(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() == tensorflow::DT_COMPLEX64) {
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, tensorflow::DT_FLOAT, x.shape()));
    const auto* in = x.flat<std::complex<float>>();
    float* o = out->flat<float>();
    for (int64_t i = 0; i < x.num_elements(); ++i) o[i] = in[i].imag();
    return Status::Ok();
  }
  if (x.dtype() == tensorflow::DT_COMPLEX128) {
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, tensorflow::DT_DOUBLE, x.shape()));
    const auto* in = x.flat<std::complex<double>>();
    double* o = out->flat<double>();
    for (int64_t i = 0; i < x.num_elements(); ++i) o[i] = in[i].imag();
    return Status::Ok();
  }
  return ctx.Error("input must be complex64 or complex128, got " + DataTypeName(x.dtype()));
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateImagKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeImag>::Create(c);
}

}  // namespace tern
