// ResizeBicubic: resizes NHWC `images` (any real number dtype, or float16) to `size` by cubic
// convolution over a 4x4 neighbourhood, output float32. Two kernels, as in TensorFlow: with
// half_pixel_centers (what tf.image.resize and Keras' Resizing use) Keys' cubic (a = -0.5),
// source x = (i + 0.5) * scale - 0.5, and taps outside the image get weight 0 with the rest
// renormalized; otherwise the legacy a = -0.75, x = i * scale, and taps clamped to the edge.
// Weights come from TensorFlow's 1025-entry table of the kernel (computed in double, stored as
// float) at the nearest 1/1024 of the fractional position; each output is the x-weighted sum
// of four y-interpolated columns, in TensorFlow's order of float operations, so results match
// it bit for bit.
#include <Eigen/Core>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/image_resize.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

constexpr int64_t kTableSize = 1024;

// Kernel values at distances t and t + 1 for t = i / kTableSize, i in [0, kTableSize].
struct CubicTable {
  std::array<float, (kTableSize + 1) * 2> values;

  explicit CubicTable(double a) {
    for (int64_t i = 0; i <= kTableSize; ++i) {
      float t = static_cast<float>(static_cast<double>(i) / kTableSize);
      values[i * 2] = static_cast<float>(((a + 2) * t - (a + 3)) * t * t + 1);
      t = static_cast<float>(t + 1.0);
      values[i * 2 + 1] = static_cast<float>(((a * t - 5 * a) * t + 8 * a) * t - 4 * a);
    }
  }
};

const CubicTable& Table(bool keys_cubic) {
  static const CubicTable keys(-0.5);
  static const CubicTable legacy(-0.75);
  return keys_cubic ? keys : legacy;
}

// The four source indices and weights of one output row or column.
struct Taps {
  std::array<int64_t, 4> index;
  std::array<float, 4> weight;
};

int64_t Clamp(int64_t v, int64_t size) { return std::min(size - 1, std::max<int64_t>(0, v)); }

Taps ComputeTaps(int64_t out_index, float scale, int64_t in_size, bool half_pixel_centers) {
  const float in = half_pixel_centers ? (static_cast<float>(out_index) + 0.5f) * scale - 0.5f
                                      : static_cast<float>(out_index) * scale;
  const int64_t base = static_cast<int64_t>(std::floor(in));
  const float delta = in - static_cast<float>(base);
  const int64_t offset = lrintf(delta * kTableSize);
  const auto& table = Table(half_pixel_centers).values;
  Taps taps;
  const std::array<float, 4> raw = {table[offset * 2 + 1], table[offset * 2],
                                    table[(kTableSize - offset) * 2],
                                    table[(kTableSize - offset) * 2 + 1]};
  for (int k = 0; k < 4; ++k) {
    taps.index[k] = Clamp(base - 1 + k, in_size);
    taps.weight[k] = raw[k];
  }
  if (half_pixel_centers) {
    // Taps that fall outside the image count for nothing; the others share their weight.
    for (int k = 0; k < 4; ++k) {
      if (taps.index[k] != base - 1 + k) taps.weight[k] = 0.0f;
    }
    const float sum = taps.weight[0] + taps.weight[1] + taps.weight[2] + taps.weight[3];
    if (std::abs(sum) >= 1000.0f * std::numeric_limits<float>::min()) {
      const float inverse = 1.0f / sum;
      for (float& w : taps.weight) w *= inverse;
    }
  }
  return taps;
}

class ResizeBicubicKernel final : public OpKernel {
 public:
  explicit ResizeBicubicKernel(ResizeAttrs attrs) : attrs_(attrs) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_ASSIGN_OR_RETURN(ResizeGeometry g, ReadResizeGeometry(ctx, attrs_));
    const Tensor& images = ctx.input(0);
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, tensorflow::DT_FLOAT,
                                                           TensorShape{g.batch, g.out_height,
                                                                       g.out_width, g.channels}));
    if (images.dtype() == tensorflow::DT_HALF) {
      Resize(images.flat<Eigen::half>(), g, out->flat<float>());
      return Status::Ok();
    }
    return DispatchRealNumber(
        images.dtype(), "images",
        [&]<typename T>() {
          Resize(images.flat<T>(), g, out->flat<float>());
          return Status::Ok();
        },
        ctx);
  }

 private:
  template <typename T>
  void Resize(const T* in, const ResizeGeometry& g, float* out) const {
    std::vector<Taps> xs(static_cast<size_t>(g.out_width));
    for (int64_t x = 0; x < g.out_width; ++x) {
      xs[x] = ComputeTaps(x, g.width_scale, g.in_width, attrs_.half_pixel_centers);
    }
    const int64_t row = g.in_width * g.channels;
    for (int64_t b = 0; b < g.batch; ++b) {
      const T* image = in + b * g.in_height * row;
      for (int64_t y = 0; y < g.out_height; ++y) {
        const Taps ys = ComputeTaps(y, g.height_scale, g.in_height, attrs_.half_pixel_centers);
        const T* rows[4];
        for (int k = 0; k < 4; ++k) rows[k] = image + ys.index[k] * row;
        for (int64_t x = 0; x < g.out_width; ++x) {
          const Taps& tx = xs[x];
          for (int64_t c = 0; c < g.channels; ++c) {
            float column[4];
            for (int k = 0; k < 4; ++k) {
              const int64_t at = tx.index[k] * g.channels + c;
              column[k] = static_cast<float>(rows[0][at]) * ys.weight[0] +
                          static_cast<float>(rows[1][at]) * ys.weight[1] +
                          static_cast<float>(rows[2][at]) * ys.weight[2] +
                          static_cast<float>(rows[3][at]) * ys.weight[3];
            }
            *out++ = column[0] * tx.weight[0] + column[1] * tx.weight[1] +
                     column[2] * tx.weight[2] + column[3] * tx.weight[3];
          }
        }
      }
    }
  }

  const ResizeAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateResizeBicubicKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(ResizeAttrs attrs, ReadResizeAttrs(c));
  return std::unique_ptr<OpKernel>(new ResizeBicubicKernel(attrs));
}

}  // namespace tern
