// ScaleAndTranslate: resamples NHWC `images` (int8..int64, float16, float32, float64) to `size`
// through a separable filter kernel, output float32. This is what tf.image.resize runs for
// lanczos3/lanczos5/gaussian/mitchellcubic, and for bilinear (triangle), bicubic (keyscubic) and
// area (box) with antialias=True. Output pixel x (per axis) samples the source at
// s = ((x + 0.5) - translation) / scale; the source pixels within the kernel's radius of s
// (widened by 1/scale when antialiasing a downscale, so the kernel also low-passes) get weight
// kernel((i + 0.5 - s) / kernel_scale), normalized to sum 1. A sample outside [0, in_size] gets
// no weights (0). Rows are filtered first into a float [batch, out_h, in_w, c] intermediate,
// then columns. Every weight and sample position is computed in float, as TensorFlow does: the
// box kernel's value at exactly 0.5 and the kernels' radius cut-offs depend on float rounding.
// bfloat16 (which TensorFlow also takes) is not a Tern tensor dtype.
#include <Eigen/Core>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

constexpr float kPi = 3.14159265358979323846f;

enum class KernelType {
  kLanczos1,
  kLanczos3,
  kLanczos5,
  kGaussian,
  kBox,
  kTriangle,
  kKeysCubic,
  kMitchellCubic
};

struct FilterKernel {
  KernelType type;
  float radius;

  // The kernel at distance x (>= 0) from the sample position.
  float operator()(float x) const {
    switch (type) {
      case KernelType::kLanczos1:
      case KernelType::kLanczos3:
      case KernelType::kLanczos5: {
        if (x > radius) return 0.0f;
        if (x <= 1e-3f) return 1.0f;  // sin(pi x)/(pi x) -> 1; avoids 0/0
        return radius * std::sin(kPi * x) * std::sin(kPi * x / radius) / (kPi * kPi * x * x);
      }
      case KernelType::kGaussian: {
        constexpr float kSigma = 0.5f;
        if (x >= radius) return 0.0f;
        return std::exp(-x * x / (2.0f * kSigma * kSigma));
      }
      case KernelType::kBox:
        if (x < 0.5f) return 1.0f;
        return x == 0.5f ? 0.5f : 0.0f;  // half a pixel on the edge: neighbours share it
      case KernelType::kTriangle: return x < 1.0f ? 1.0f - x : 0.0f;
      case KernelType::kKeysCubic:  // Keys' cubic convolution, a = -0.5
        if (x >= 2.0f) return 0.0f;
        if (x >= 1.0f) return ((-0.5f * x + 2.5f) * x - 4.0f) * x + 2.0f;
        return ((1.5f * x - 2.5f) * x) * x + 1.0f;
      case KernelType::kMitchellCubic:  // Mitchell-Netravali, B = C = 1/3
        if (x >= 2.0f) return 0.0f;
        if (x >= 1.0f) {
          return (((-7.0f / 18.0f) * x + 2.0f) * x - 10.0f / 3.0f) * x + 16.0f / 9.0f;
        }
        return (((7.0f / 6.0f) * x - 2.0f) * x) * x + 8.0f / 9.0f;
    }
    return 0.0f;
  }
};

bool ParseKernelType(const std::string& name, FilterKernel* kernel) {
  static const struct {
    const char* name;
    KernelType type;
    float radius;
  } kKernels[] = {
      {"lanczos1", KernelType::kLanczos1, 1.0f},
      {"lanczos3", KernelType::kLanczos3, 3.0f},
      {"lanczos5", KernelType::kLanczos5, 5.0f},
      {"gaussian", KernelType::kGaussian, 1.5f},  // three sigmas
      {"box", KernelType::kBox, 1.0f},
      {"triangle", KernelType::kTriangle, 1.0f},
      {"keyscubic", KernelType::kKeysCubic, 2.0f},
      {"mitchellcubic", KernelType::kMitchellCubic, 2.0f},
  };
  for (const auto& k : kKernels) {
    if (name == k.name) {
      *kernel = FilterKernel{k.type, k.radius};
      return true;
    }
  }
  return false;
}

// The source pixels and weights of every output pixel along one axis: output x reads
// count[x] pixels from start[x], with weights weight[x * span_size ...]. A sample outside the
// image reads span_size pixels from 0, all of weight 0.
// The weights are as many as output positions times the span, both set by request inputs (size,
// scale): a tensor, so they count against the request's memory budget.
struct Spans {
  int64_t span_size = 0;
  std::vector<int64_t> start, count;
  Tensor weight;  // float [out_size * span_size]
};

StatusOr<Spans> ComputeSpans(const FilterKernel& kernel, int64_t in_size, int64_t out_size,
                             float scale, float translation, bool antialias) {
  const float inv_scale = 1.0f / scale;
  const float kernel_scale = antialias ? std::max(inv_scale, 1.0f) : 1.0f;
  const float reach = kernel.radius * kernel_scale;
  Spans s;
  s.span_size = std::min<int64_t>(2 * static_cast<int64_t>(std::ceil(reach)) + 1, in_size);
  s.start.assign(out_size, 0);
  s.count.assign(out_size, 0);
  TERN_ASSIGN_OR_RETURN(s.weight,
                        Tensor::Create(tensorflow::DT_FLOAT, TensorShape{out_size * s.span_size},
                                       Tensor::Contents::kZeros));
  const float one_over_kernel_scale = 1.0f / kernel_scale;
  for (int64_t x = 0; x < out_size; ++x) {
    // Each term scaled on its own, as TensorFlow rounds it.
    const float sample = (static_cast<float>(x) + 0.5f) * inv_scale - translation * inv_scale;
    if (sample < 0.0f || sample > static_cast<float>(in_size)) {
      s.count[x] = s.span_size;
      continue;
    }
    const int64_t first =
        std::max<int64_t>(static_cast<int64_t>(std::ceil(sample - reach - 0.5f)), 0);
    const int64_t end =
        std::min<int64_t>(static_cast<int64_t>(std::floor(sample + reach - 0.5f)), in_size - 1) + 1;
    float* w = s.weight.flat<float>() + x * s.span_size;
    float total = 0.0f;
    const int64_t n = std::min(end - first, s.span_size);
    for (int64_t i = 0; i < n; ++i) {
      const float pos = static_cast<float>(first + i) + 0.5f - sample;
      w[i] = kernel(std::abs(pos * one_over_kernel_scale));
      total += w[i];
    }
    if (std::abs(total) >= 1000.0f * FLT_MIN) {  // else leave them: normalizing would blow up
      const float one_over_total = 1.0f / total;
      for (int64_t i = 0; i < n; ++i) w[i] *= one_over_total;
    }
    s.start[x] = first;
    // The taps past the kernel's reach keep weight 0 but are still summed (0 * inf is NaN in
    // TensorFlow too).
    s.count[x] = std::min(first + s.span_size, in_size) - first;
  }
  return s;
}

class ScaleAndTranslateKernel final : public OpKernel {
 public:
  ScaleAndTranslateKernel(FilterKernel kernel, bool antialias)
      : kernel_(kernel), antialias_(antialias) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& images = ctx.input(0);
    const Tensor& size = ctx.input(1);
    const Tensor& scale = ctx.input(2);
    const Tensor& translation = ctx.input(3);
    if (images.rank() != 4) {
      return ctx.Error("input must be 4-dimensional" + images.shape().DebugString());
    }
    if (size.dtype() != tensorflow::DT_INT32 || scale.dtype() != tensorflow::DT_FLOAT ||
        translation.dtype() != tensorflow::DT_FLOAT) {
      return ctx.Error("size must be int32, scale and translation float; got " +
                       DataTypeName(size.dtype()) + ", " + DataTypeName(scale.dtype()) + ", " +
                       DataTypeName(translation.dtype()));
    }
    if (size.rank() != 1 || size.num_elements() != 2) {
      return ctx.Error("output_shape_t must have two elements" + size.shape().DebugString());
    }
    if (scale.rank() != 1 || scale.num_elements() != 2) {
      return ctx.Error("scale_t must have two elements" + scale.shape().DebugString());
    }
    if (translation.rank() != 1 || translation.num_elements() != 2) {
      return ctx.Error("translate_t must have two elements" + translation.shape().DebugString());
    }
    const int64_t batch = images.shape().dim(0), in_h = images.shape().dim(1),
                  in_w = images.shape().dim(2), channels = images.shape().dim(3);
    const int64_t out_h = size.flat<int32_t>()[0], out_w = size.flat<int32_t>()[1];
    if (out_h <= 0 || out_w <= 0) return ctx.Error("output dimensions must be positive");
    if (in_h <= 0 || in_w <= 0) return ctx.Error("input image must be of non-zero size");
    const float* sc = scale.flat<float>();
    const float* tr = translation.flat<float>();
    if (!(sc[0] > 0.0f) || !(sc[1] > 0.0f)) return ctx.Error("Scale must be greater than zero.");
    // The output first: within the budget, it bounds out_h and out_w for the scratch below.
    TERN_ASSIGN_OR_RETURN(
        Tensor * out,
        ctx.AllocateOutput(0, tensorflow::DT_FLOAT, TensorShape{batch, out_h, out_w, channels}));
    TERN_ASSIGN_OR_RETURN(const Spans rows,
                          ComputeSpans(kernel_, in_h, out_h, sc[0], tr[0], antialias_));
    TERN_ASSIGN_OR_RETURN(const Spans cols,
                          ComputeSpans(kernel_, in_w, out_w, sc[1], tr[1], antialias_));
    const Geometry g{batch, in_h, in_w, channels, out_h, out_w};
    if (images.dtype() == tensorflow::DT_HALF) {
      return Resample(images.flat<Eigen::half>(), g, rows, cols, out->flat<float>());
    }
    if (images.dtype() == tensorflow::DT_UINT32 || images.dtype() == tensorflow::DT_UINT64) {
      return ctx.Error("images has unsupported dtype " + DataTypeName(images.dtype()));
    }
    return DispatchRealNumber(
        images.dtype(), "images",
        [&]<typename T>() { return Resample(images.flat<T>(), g, rows, cols, out->flat<float>()); },
        ctx);
  }

 private:
  struct Geometry {
    int64_t batch, in_h, in_w, channels, out_h, out_w;
  };

  // Rows first into a float intermediate, then columns; each output is its weighted sum in
  // span order.
  template <typename T>
  static Status Resample(const T* in, const Geometry& g, const Spans& rows, const Spans& cols,
                         float* out) {
    const int64_t in_row = g.in_w * g.channels;
    // out_h input-wide rows: larger than the output when the width shrinks (budgeted likewise).
    TERN_ASSIGN_OR_RETURN(Tensor mid_rows,
                          Tensor::Create(tensorflow::DT_FLOAT, TensorShape{g.out_h * in_row},
                                         Tensor::Contents::kUnset));
    float* const mid = mid_rows.flat<float>();
    for (int64_t b = 0; b < g.batch; ++b) {
      const T* image = in + b * g.in_h * in_row;
      for (int64_t y = 0; y < g.out_h; ++y) {
        float* dst = mid + y * in_row;
        std::fill(dst, dst + in_row, 0.0f);
        const float* w = rows.weight.flat<float>() + y * rows.span_size;
        for (int64_t k = 0; k < rows.count[y]; ++k) {
          const T* src = image + (rows.start[y] + k) * in_row;
          for (int64_t i = 0; i < in_row; ++i) dst[i] += static_cast<float>(src[i]) * w[k];
        }
      }
      float* image_out = out + b * g.out_h * g.out_w * g.channels;
      for (int64_t y = 0; y < g.out_h; ++y) {
        const float* src_row = mid + y * in_row;
        for (int64_t x = 0; x < g.out_w; ++x) {
          float* dst = image_out + (y * g.out_w + x) * g.channels;
          std::fill(dst, dst + g.channels, 0.0f);
          const float* w = cols.weight.flat<float>() + x * cols.span_size;
          for (int64_t k = 0; k < cols.count[x]; ++k) {
            const float* src = src_row + (cols.start[x] + k) * g.channels;
            for (int64_t c = 0; c < g.channels; ++c) dst[c] += src[c] * w[k];
          }
        }
      }
    }
    return Status::Ok();
  }

  const FilterKernel kernel_;
  const bool antialias_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateScaleAndTranslateKernel(const KernelConstruction& c) {
  const std::string type = c.GetStringAttrOr("kernel_type", "lanczos3");
  FilterKernel kernel{};
  if (!ParseKernelType(type, &kernel)) return c.Error("Unrecognized kernel type: " + type);
  return std::unique_ptr<OpKernel>(
      new ScaleAndTranslateKernel(kernel, c.GetBoolAttrOr("antialias", true)));
}

}  // namespace tern
