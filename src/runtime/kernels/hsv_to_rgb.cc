// HSVToRGB: the innermost dimension (3: hue, saturation, value) back to red, green and blue, as
// TensorFlow computes them: each channel is v * (1 - s + s * c), c a piecewise-linear function
// of 6 * hue clamped to [0, 1] (red peaks at hue 0 and 1, green at 1/3, blue at 2/3). Hue is not
// wrapped first, so hues outside [0, 1] give what TensorFlow gives. float or double. Keras 3's
// RandomHue, RandomSaturation and RandomColorJitter run it.
#include <algorithm>
#include <cmath>
#include <string>

#include "runtime/kernels/internal/color_convert.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
T Clamp01(T x) {
  return std::min(std::max(x, T(0)), T(1));
}

template <typename T>
void ToRgb(const T* in, int64_t pixels, T* out) {
  for (int64_t p = 0; p < pixels; ++p) {
    const T h = in[3 * p], s = in[3 * p + 1], v = in[3 * p + 2];
    const T dh = h * T(6);
    const T dr = Clamp01(std::abs(dh - T(3)) - T(1));
    const T dg = Clamp01(-std::abs(dh - T(2)) + T(2));
    const T db = Clamp01(-std::abs(dh - T(4)) + T(2));
    const T one_s = -s + T(1);
    out[3 * p] = (one_s + s * dr) * v;
    out[3 * p + 1] = (one_s + s * dg) * v;
    out[3 * p + 2] = (one_s + s * db) * v;
  }
}

Status ComputeHsvToRgb(KernelContext& ctx) {
  return ComputeColorConversion(
      ctx, [](const auto* in, int64_t pixels, auto* out) { ToRgb(in, pixels, out); });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateHSVToRGBKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeHsvToRgb>::Create(c);
}

}  // namespace tern
