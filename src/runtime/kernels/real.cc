// Real: the real part of a complex64 (to float) or complex128 (to double) tensor, elementwise.
// Keras 3's MelSpectrogram takes it of tf.signal.stft's RFFT.
#include "runtime/kernels/internal/complex_part.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeReal(KernelContext& ctx) {
  return ComputeComplexPart(ctx, [](const auto& z) { return z.real(); });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRealKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeReal>::Create(c);
}

}  // namespace tern
