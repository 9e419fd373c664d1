// FFT2D: the two-dimensional discrete Fourier transform of the innermost two dimensions of a
// complex64 or complex128 tensor, X[u, v] = sum_{m,n} x[m, n] e^(-2 pi i (u m / M + v n / N)),
// computed as a transform along each row, then along each column. keras_hub's FNet mixes tokens
// with it (the real part of fft2 over sequence and hidden dimensions).
//
// Each 1-D transform is the direct sum in double over a table of the roots of unity: O(M N (M +
// N)) per matrix, fine for FNet's sequence and hidden sizes, where TensorFlow's FFT library is
// O(M N log(M N)); values agree with TensorFlow's to float rounding.
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// In place: the DFT of `count` sequences of length n, element j of sequence s at
// data[s * outer_stride + j * stride].
void Dft(std::complex<double>* data, int64_t n, int64_t stride, int64_t count,
         int64_t outer_stride) {
  std::vector<std::complex<double>> roots(n), scratch(n);
  for (int64_t j = 0; j < n; ++j) {
    const double angle = -2.0 * std::numbers::pi * static_cast<double>(j) / static_cast<double>(n);
    roots[j] = {std::cos(angle), std::sin(angle)};
  }
  for (int64_t s = 0; s < count; ++s) {
    std::complex<double>* x = data + s * outer_stride;
    for (int64_t k = 0; k < n; ++k) {
      std::complex<double> sum = 0;
      int64_t j = 0;  // k * t mod n
      for (int64_t t = 0; t < n; ++t) {
        sum += x[t * stride] * roots[j];
        j += k;
        if (j >= n) j -= n;
      }
      scratch[k] = sum;
    }
    for (int64_t k = 0; k < n; ++k) x[k * stride] = scratch[k];
  }
}

template <typename Real>
void Transform(const std::complex<Real>* in, int64_t batches, int64_t rows, int64_t cols,
               std::complex<Real>* out) {
  std::vector<std::complex<double>> m(rows * cols);
  for (int64_t b = 0; b < batches; ++b) {
    const std::complex<Real>* x = in + b * rows * cols;
    for (int64_t i = 0; i < rows * cols; ++i) m[i] = {x[i].real(), x[i].imag()};
    Dft(m.data(), cols, 1, rows, cols);  // each row
    Dft(m.data(), rows, cols, cols, 1);  // each column
    std::complex<Real>* y = out + b * rows * cols;
    for (int64_t i = 0; i < rows * cols; ++i) {
      y[i] = {static_cast<Real>(m[i].real()), static_cast<Real>(m[i].imag())};
    }
  }
}

Status ComputeFft2d(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) {
    return ctx.Error("input must be at least 2-D, got shape " + x.shape().DebugString());
  }
  const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
  const int64_t batches = rows * cols == 0 ? 0 : x.num_elements() / (rows * cols);
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  if (x.dtype() == tensorflow::DT_COMPLEX64) {
    Transform(x.flat<std::complex<float>>(), batches, rows, cols, out->flat<std::complex<float>>());
  } else if (x.dtype() == tensorflow::DT_COMPLEX128) {
    Transform(x.flat<std::complex<double>>(), batches, rows, cols,
              out->flat<std::complex<double>>());
  } else {
    return ctx.Error("input must be complex64 or complex128, got " + DataTypeName(x.dtype()));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFFT2DKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeFft2d>::Create(c);
}

}  // namespace tern
