// AdjustContrastv2: for each image and channel, (x - mean) * contrast_factor + mean, the mean
// taken over the image's height and width. images [..., height, width, channels] (rank >= 3),
// float; contrast_factor a float scalar.
#include <algorithm>
#include <vector>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeAdjustContrastv2(KernelContext& ctx) {
  const Tensor& images = ctx.input(0);
  const Tensor& factor = ctx.input(1);
  if (images.dtype() != tensorflow::DT_FLOAT) {
    return ctx.Error("images must be float, got " + DataTypeName(images.dtype()));
  }
  if (images.rank() < 3) {
    return ctx.Error("images must be at least 3-D [height, width, channels], got " +
                     images.shape().DebugString());
  }
  if (factor.dtype() != tensorflow::DT_FLOAT || factor.rank() != 0) {
    return ctx.Error("contrast_factor must be a float scalar, got " + DataTypeName(factor.dtype()) +
                     " " + factor.shape().DebugString());
  }
  const float f = factor.flat<float>()[0];
  const int rank = images.rank();
  const int64_t channels = images.dim(rank - 1);
  const int64_t pixels = images.dim(rank - 2) * images.dim(rank - 3);
  const int64_t batch = pixels * channels == 0 ? 0 : images.num_elements() / (pixels * channels);
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, images.dtype(), images.shape()));
  const float* in = images.flat<float>();
  float* o = out->flat<float>();
  std::vector<double> mean(static_cast<size_t>(channels));
  for (int64_t b = 0; b < batch; ++b) {
    const float* image = in + b * pixels * channels;
    std::fill(mean.begin(), mean.end(), 0.0);
    for (int64_t p = 0; p < pixels; ++p) {
      for (int64_t c = 0; c < channels; ++c) mean[c] += image[p * channels + c];
    }
    for (auto& m : mean) m /= static_cast<double>(pixels);
    float* dst = o + b * pixels * channels;
    for (int64_t p = 0; p < pixels; ++p) {
      for (int64_t c = 0; c < channels; ++c) {
        const float m = static_cast<float>(mean[c]);
        dst[p * channels + c] = (image[p * channels + c] - m) * f + m;
      }
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAdjustContrastv2Kernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeAdjustContrastv2>::Create(c);
}

}  // namespace tern
