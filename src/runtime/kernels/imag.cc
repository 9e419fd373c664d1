// Imag: the imaginary part of a complex64 (to float) or complex128 (to double) tensor, elementwise.
// Keras 3's MelSpectrogram takes it of tf.signal.stft's RFFT.
#include "runtime/kernels/internal/complex_part.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeImag(KernelContext& ctx) {
  return ComputeComplexPart(ctx, [](const auto& z) { return z.imag(); });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateImagKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeImag>::Create(c);
}

}  // namespace tern
