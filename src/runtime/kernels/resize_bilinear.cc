// ResizeBilinear: resizes NHWC `images` (any real number dtype, or float16) to `size` by bilinear
// interpolation, output float32. Source coordinates: x * scale (legacy), or with
// half_pixel_centers (x + 0.5) * scale - 0.5; align_corners changes the scale. Neighbours and
// weights are computed per row and column in float, then each output is
// top + (bottom - top) * y_lerp over the two horizontally interpolated rows, in TensorFlow's
// order of float operations, so results match it bit for bit.
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/image_resize.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// One output row's or column's two source indices and the weight of the upper one.
struct Interpolation {
  int64_t lower = 0, upper = 0;
  float lerp = 0;
};

std::vector<Interpolation> InterpolationWeights(int64_t out_size, int64_t in_size, float scale,
                                                bool half_pixel_centers) {
  std::vector<Interpolation> weights(static_cast<size_t>(out_size));
  for (int64_t i = 0; i < out_size; ++i) {
    const float in = half_pixel_centers ? (static_cast<float>(i) + 0.5f) * scale - 0.5f
                                        : static_cast<float>(i) * scale;
    const float in_floor = std::floor(in);
    weights[i].lower = std::max(static_cast<int64_t>(in_floor), int64_t{0});
    weights[i].upper = std::min(static_cast<int64_t>(std::ceil(in)), in_size - 1);
    weights[i].lerp = in - in_floor;
  }
  return weights;
}

class ResizeBilinearKernel final : public OpKernel {
 public:
  explicit ResizeBilinearKernel(ResizeAttrs attrs) : attrs_(attrs) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_ASSIGN_OR_RETURN(ResizeGeometry g, ReadResizeGeometry(ctx, attrs_));
    const Tensor& images = ctx.input(0);
    Tensor out(tensorflow::DT_FLOAT, TensorShape{g.batch, g.out_height, g.out_width, g.channels});
    if (images.dtype() == tensorflow::DT_HALF) {
      Resize(images.flat<Eigen::half>(), g, out.flat<float>());
    } else {
      TERN_RETURN_IF_ERROR(DispatchRealNumber(
          images.dtype(), "images",
          [&]<typename T>() {
            Resize(images.flat<T>(), g, out.flat<float>());
            return Status::Ok();
          },
          ctx));
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  template <typename T>
  void Resize(const T* in, const ResizeGeometry& g, float* out) const {
    const std::vector<Interpolation> ys =
        InterpolationWeights(g.out_height, g.in_height, g.height_scale, attrs_.half_pixel_centers);
    const std::vector<Interpolation> xs =
        InterpolationWeights(g.out_width, g.in_width, g.width_scale, attrs_.half_pixel_centers);
    const int64_t row = g.in_width * g.channels;
    for (int64_t b = 0; b < g.batch; ++b) {
      const T* image = in + b * g.in_height * row;
      for (int64_t y = 0; y < g.out_height; ++y) {
        const T* lower_row = image + ys[y].lower * row;
        const T* upper_row = image + ys[y].upper * row;
        const float y_lerp = ys[y].lerp;
        for (int64_t x = 0; x < g.out_width; ++x) {
          const int64_t left = xs[x].lower * g.channels;
          const int64_t right = xs[x].upper * g.channels;
          const float x_lerp = xs[x].lerp;
          for (int64_t c = 0; c < g.channels; ++c) {
            const float top_left = static_cast<float>(lower_row[left + c]);
            const float top_right = static_cast<float>(lower_row[right + c]);
            const float bottom_left = static_cast<float>(upper_row[left + c]);
            const float bottom_right = static_cast<float>(upper_row[right + c]);
            const float top = top_left + (top_right - top_left) * x_lerp;
            const float bottom = bottom_left + (bottom_right - bottom_left) * x_lerp;
            *out++ = top + (bottom - top) * y_lerp;
          }
        }
      }
    }
  }

  const ResizeAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateResizeBilinearKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(ResizeAttrs attrs, ReadResizeAttrs(c));
  return std::unique_ptr<OpKernel>(new ResizeBilinearKernel(attrs));
}

}  // namespace tern
