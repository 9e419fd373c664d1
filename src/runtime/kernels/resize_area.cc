// ResizeArea: resizes NHWC `images` (any real number dtype, or float16) to `size` by area
// averaging, output float32 (what Keras' Resizing(interpolation="area") runs). Output pixel i
// covers source [i * scale, (i + 1) * scale) in each axis; every source pixel it overlaps
// contributes its value times the overlapped fraction (1 inside, less at the two ends), and the
// sum is multiplied by 1 / (height_scale * width_scale). align_corners changes the scale;
// sources past the edge (align_corners upscaling) are clamped to it. Per row the x sums are
// weighted by the row's fraction and accumulated in TensorFlow's order of float operations, so
// results match it bit for bit.
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/image_resize.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

int64_t Clamp(int64_t v, int64_t size) { return std::min(size - 1, std::max<int64_t>(0, v)); }

// The fraction of source cell `i` inside [begin, end) (end - begin == scale), as TensorFlow
// computes it in float.
float Coverage(int64_t i, float begin, float end, float scale) {
  const float lo = static_cast<float>(i);
  const float hi = static_cast<float>(i + 1);
  if (lo < begin) return hi > end ? scale : hi - begin;
  return hi > end ? end - lo : 1.0f;
}

// The source cells one output row or column covers: [start, end), with the coverage of the
// first and the last (the cells between are covered whole).
struct Span {
  int64_t start = 0, end = 0;
  float start_coverage = 0, last_coverage = 0;
};

Span ComputeSpan(int64_t out_index, float scale) {
  const float begin = static_cast<float>(out_index) * scale;
  const float end = static_cast<float>(out_index + 1) * scale;
  Span s;
  s.start = static_cast<int64_t>(std::floor(begin));
  s.end = static_cast<int64_t>(std::ceil(end));
  s.start_coverage = Coverage(s.start, begin, end, scale);
  s.last_coverage = Coverage(s.end - 1, begin, end, scale);
  return s;
}

class ResizeAreaKernel final : public OpKernel {
 public:
  explicit ResizeAreaKernel(ResizeAttrs attrs) : attrs_(attrs) {}

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
  static void Resize(const T* in, const ResizeGeometry& g, float* out) {
    std::vector<Span> xs(static_cast<size_t>(g.out_width));
    for (int64_t x = 0; x < g.out_width; ++x) xs[x] = ComputeSpan(x, g.width_scale);
    const float norm = static_cast<float>(1.0 / (g.height_scale * g.width_scale));
    const int64_t c_count = g.channels;
    const int64_t row = g.in_width * c_count;
    std::vector<const T*> rows;
    std::vector<float> row_coverage;
    for (int64_t b = 0; b < g.batch; ++b) {
      const T* image = in + b * g.in_height * row;
      for (int64_t y = 0; y < g.out_height; ++y) {
        const float begin = static_cast<float>(y) * g.height_scale;
        const float end = static_cast<float>(y + 1) * g.height_scale;
        const int64_t y_start = static_cast<int64_t>(std::floor(begin));
        const int64_t y_end = static_cast<int64_t>(std::ceil(end));
        rows.clear();
        row_coverage.clear();
        for (int64_t i = y_start; i < y_end; ++i) {
          rows.push_back(image + Clamp(i, g.in_height) * row);
          row_coverage.push_back(Coverage(i, begin, end, g.height_scale));
        }
        for (int64_t x = 0; x < g.out_width; ++x) {
          const Span& s = xs[x];
          const int64_t first = Clamp(s.start, g.in_width) * c_count;
          const int64_t last = Clamp(s.end - 1, g.in_width) * c_count;
          for (int64_t c = 0; c < c_count; ++c) {
            float sum = 0;
            for (size_t r = 0; r < rows.size(); ++r) {
              const T* src = rows[r];
              float sum_x = static_cast<float>(src[first + c]) * s.start_coverage;
              if (s.start + 1 != s.end) {
                for (int64_t i = s.start + 1; i < s.end - 1; ++i) {
                  sum_x += static_cast<float>(src[Clamp(i, g.in_width) * c_count + c]);
                }
                sum_x += static_cast<float>(src[last + c]) * s.last_coverage;
              }
              sum += sum_x * row_coverage[r];
            }
            *out++ = sum * norm;
          }
        }
      }
    }
  }

  const ResizeAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateResizeAreaKernel(const KernelConstruction& c) {
  // ResizeArea has no half_pixel_centers attr: its cells always were pixel areas.
  TERN_ASSIGN_OR_RETURN(ResizeAttrs attrs, ReadResizeAttrs(c));
  return std::unique_ptr<OpKernel>(new ResizeAreaKernel(attrs));
}

}  // namespace tern
