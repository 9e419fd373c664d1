// RGBToHSV: the innermost dimension (3: red, green, blue, in [0, 1]) to hue, saturation and value,
// as TensorFlow computes them: value = max, saturation = (max - min) / max (0 where max is 0),
// hue in [0, 1) from whichever channel is the max (red before green before blue on ties), 0 for
// greys. float or double. Keras 3's RandomHue, RandomSaturation and RandomColorJitter run it.
#include <algorithm>
#include <string>

#include "runtime/kernels/internal/color_convert.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
void ToHsv(const T* in, int64_t pixels, T* out) {
  for (int64_t p = 0; p < pixels; ++p) {
    const T r = in[3 * p], g = in[3 * p + 1], b = in[3 * p + 2];
    const T v = std::max(std::max(r, g), b);
    const T range = v - std::min(std::min(r, g), b);
    const T s = v > T(0) ? range / v : T(0);
    const T norm = (T(1) / range) * (T(1) / T(6));
    T h = r == v   ? norm * (g - b)
          : g == v ? norm * (b - r) + T(2) / T(6)
                   : norm * (r - g) + T(4) / T(6);
    if (!(range > T(0))) h = T(0);
    if (h < T(0)) h += T(1);
    out[3 * p] = h;
    out[3 * p + 1] = s;
    out[3 * p + 2] = v;
  }
}

Status ComputeRgbToHsv(KernelContext& ctx) {
  return ComputeColorConversion(
      ctx, [](const auto* in, int64_t pixels, auto* out) { ToHsv(in, pixels, out); });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRGBToHSVKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeRgbToHsv>::Create(c);
}

}  // namespace tern
