// RFFT: the discrete Fourier transform of real signals over the innermost dimension, keeping the
// fft_length / 2 + 1 non-negative frequencies (the others are their conjugates). The transform
// reads the first fft_length (an int32 [1] input) values of each signal; a shorter signal is an
// error, as in TensorFlow (tf.signal.rfft pads before the op). float -> complex64 and double ->
// complex128 (Treal / Tcomplex). Keras 3's MelSpectrogram (tf.signal.stft) runs it.
//
// Computed as the direct sum X[k] = sum_n x[n] e^(-2 pi i k n / N) in double with a table of the
// N roots of unity, then rounded: O(N^2) per signal where TensorFlow's FFT library is O(N log N),
// which is fine for the frame lengths spectrogram layers use; the values agree with TensorFlow's
// to float rounding (its butterflies round to float at every stage, the sum here does not).
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename Real>
void Transform(const Real* in, int64_t batches, int64_t in_len, int64_t n,
               std::complex<Real>* out) {
  const int64_t bins = n / 2 + 1;
  std::vector<double> cos_table(n), sin_table(n);
  for (int64_t j = 0; j < n; ++j) {
    const double angle = 2.0 * std::numbers::pi * static_cast<double>(j) / static_cast<double>(n);
    cos_table[j] = std::cos(angle);
    sin_table[j] = std::sin(angle);
  }
  for (int64_t b = 0; b < batches; ++b) {
    const Real* x = in + b * in_len;
    for (int64_t k = 0; k < bins; ++k) {
      double re = 0, im = 0;
      int64_t j = 0;  // k * t mod n, kept without overflow
      for (int64_t t = 0; t < n; ++t) {
        re += static_cast<double>(x[t]) * cos_table[j];
        im -= static_cast<double>(x[t]) * sin_table[j];
        j += k;
        if (j >= n) j -= n;
      }
      out[b * bins + k] = {static_cast<Real>(re), static_cast<Real>(im)};
    }
  }
}

Status ComputeRfft(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 1) {
    return ctx.Error("input must be at least 1-D, got shape " + x.shape().DebugString());
  }
  std::vector<int64_t> fft_length;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "fft_length", &fft_length));
  if (fft_length.size() != 1) {
    return ctx.Error("fft_length must have 1 element, got " + std::to_string(fft_length.size()));
  }
  const int64_t n = fft_length[0];
  std::vector<int64_t> dims = x.shape().dim_vector();
  const int64_t in_len = dims.back();
  // (TensorFlow aborts on fft_length 0; an error here.)
  if (n <= 0 || in_len < n) {
    return ctx.Error("Input dimension " + std::to_string(dims.size() - 1) +
                     " must have length of at least " + std::to_string(n) +
                     " but got: " + std::to_string(in_len) + " (fft_length must be positive)");
  }
  const int64_t batches = in_len == 0 ? 0 : x.num_elements() / in_len;
  dims.back() = n / 2 + 1;
  if (x.dtype() == tensorflow::DT_FLOAT) {
    TERN_ASSIGN_OR_RETURN(Tensor * out,
                          ctx.AllocateOutput(0, tensorflow::DT_COMPLEX64, TensorShape(dims)));
    if (batches > 0) {
      Transform<float>(x.flat<float>(), batches, in_len, n, out->flat<std::complex<float>>());
    }
    return Status::Ok();
  }
  if (x.dtype() == tensorflow::DT_DOUBLE) {
    TERN_ASSIGN_OR_RETURN(Tensor * out,
                          ctx.AllocateOutput(0, tensorflow::DT_COMPLEX128, TensorShape(dims)));
    if (batches > 0) {
      Transform<double>(x.flat<double>(), batches, in_len, n, out->flat<std::complex<double>>());
    }
    return Status::Ok();
  }
  return ctx.Error("input must be float or double, got " + DataTypeName(x.dtype()));
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRFFTKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeRfft>::Create(c);
}

}  // namespace tern
