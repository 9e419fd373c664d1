// ResizeNearestNeighbor: resizes NHWC `images` to `size` by copying the nearest source pixel;
// the output keeps the input's dtype. The source index is floor(x * scale), rounded instead of
// floored with align_corners, and with half_pixel_centers floor((x + 0.5) * scale) (TensorFlow's
// nearest-neighbour variant, without the -0.5 of the bilinear one), clamped to the image.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "runtime/kernels/internal/image_resize.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

std::vector<int64_t> SourceIndices(int64_t out_size, int64_t in_size, float scale,
                                   const ResizeAttrs& attrs) {
  std::vector<int64_t> indices(static_cast<size_t>(out_size));
  for (int64_t i = 0; i < out_size; ++i) {
    const float in = attrs.half_pixel_centers ? (static_cast<float>(i) + 0.5f) * scale
                                              : static_cast<float>(i) * scale;
    int64_t index = attrs.align_corners ? static_cast<int64_t>(std::round(in))
                                        : static_cast<int64_t>(std::floor(in));
    index = std::min(index, in_size - 1);
    if (attrs.half_pixel_centers) index = std::max(index, int64_t{0});
    indices[i] = index;
  }
  return indices;
}

class ResizeNearestNeighborKernel final : public OpKernel {
 public:
  explicit ResizeNearestNeighborKernel(ResizeAttrs attrs) : attrs_(attrs) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_ASSIGN_OR_RETURN(ResizeGeometry g, ReadResizeGeometry(ctx, attrs_));
    const Tensor& images = ctx.input(0);
    const size_t element = DataTypeSize(images.dtype());
    if (images.dtype() == tensorflow::DT_STRING || images.dtype() == tensorflow::DT_BOOL ||
        element == 0) {
      return ctx.Error("images has unsupported dtype " + DataTypeName(images.dtype()));
    }
    const std::vector<int64_t> ys =
        SourceIndices(g.out_height, g.in_height, g.height_scale, attrs_);
    const std::vector<int64_t> xs = SourceIndices(g.out_width, g.in_width, g.width_scale, attrs_);
    Tensor out(images.dtype(), TensorShape{g.batch, g.out_height, g.out_width, g.channels});
    // A pixel is `channels` elements moved as bytes: the op never looks at their values.
    const size_t pixel = element * static_cast<size_t>(g.channels);
    const char* in = static_cast<const char*>(images.raw_data());
    char* o = static_cast<char*>(out.raw_data());
    for (int64_t b = 0; b < g.batch; ++b) {
      const char* image = in + b * g.in_height * g.in_width * pixel;
      for (int64_t y = 0; y < g.out_height; ++y) {
        const char* row = image + ys[y] * g.in_width * pixel;
        for (int64_t x = 0; x < g.out_width; ++x) {
          std::memcpy(o, row + xs[x] * pixel, pixel);
          o += pixel;
        }
      }
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  const ResizeAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateResizeNearestNeighborKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(ResizeAttrs attrs, ReadResizeAttrs(c));
  return std::unique_ptr<OpKernel>(new ResizeNearestNeighborKernel(attrs));
}

}  // namespace tern
