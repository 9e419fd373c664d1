// ImageProjectiveTransformV3: warps NHWC `images` by projective transforms ([1 or N, 8] float:
// a0 a1 a2 b0 b1 b2 c0 c1 maps output (x, y) to input ((a0 x + a1 y + a2) / k,
// (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1) into output_shape (int32 [height, width]), what
// Keras' RandomTranslation, RandomRotation, RandomZoom and friends run. interpolation NEAREST
// (round half away from zero) or BILINEAR; fill_mode says where input coordinates outside the
// image land: REFLECT (dcba|abcd|dcba), WRAP (abcd|abcd|abcd), NEAREST (the edge) or CONSTANT
// (fill_value, a float scalar cast to the image dtype). Coordinates and weights are float and
// follow TensorFlow's order of operations, so float results match it bit for bit. uint8, int32,
// int64, half, float, double.
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <string>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

enum class Interpolation { kNearest, kBilinear };
enum class FillMode { kReflect, kWrap, kConstant, kNearest };

float ClampCoordinate(float c, int64_t len) {
  return std::min(std::max(c, 0.0f), static_cast<float>(len - 1));
}

// Where an input coordinate outside [0, len - 1] is read from (as scipy.ndimage's modes).
float MapCoordinate(float c, int64_t len, FillMode mode) {
  switch (mode) {
    case FillMode::kConstant: return c;
    case FillMode::kNearest: return ClampCoordinate(c, len);
    case FillMode::kReflect:
      if (c < 0) {
        if (len <= 1) {
          c = 0;
        } else {
          const int64_t period = 2 * len;
          if (c < static_cast<float>(period)) {
            c = static_cast<float>(period * static_cast<int64_t>(-c / static_cast<float>(period))) +
                c;
          }
          c = c < static_cast<float>(-len) ? c + static_cast<float>(period) : -c - 1;
        }
      } else if (c > static_cast<float>(len - 1)) {
        if (len <= 1) {
          c = 0;
        } else {
          const int64_t period = 2 * len;
          c -= static_cast<float>(period * static_cast<int64_t>(c / static_cast<float>(period)));
          if (c >= static_cast<float>(len)) c = static_cast<float>(period) - c - 1;
        }
      }
      return ClampCoordinate(c, len);
    case FillMode::kWrap:
      if (c < 0) {
        if (len <= 1) {
          c = 0;
        } else {
          const int64_t span = len - 1;
          c += static_cast<float>(len * (static_cast<int64_t>(-c / static_cast<float>(span)) + 1));
        }
      } else if (c > static_cast<float>(len - 1)) {
        if (len <= 1) {
          c = 0;
        } else {
          const int64_t span = len - 1;
          c -= static_cast<float>(len * static_cast<int64_t>(c / static_cast<float>(span)));
        }
      }
      return ClampCoordinate(c, len);
  }
  return c;
}

template <typename T>
class Warper {
 public:
  Warper(const T* image, int64_t height, int64_t width, int64_t channels, T fill)
      : image_(image), height_(height), width_(width), channels_(channels), fill_(fill) {}

  T Read(int64_t y, int64_t x, int64_t c) const {
    return (y >= 0 && y < height_ && x >= 0 && x < width_)
               ? image_[(y * width_ + x) * channels_ + c]
               : fill_;
  }

  T Nearest(float y, float x, int64_t c) const {
    return Read(static_cast<int64_t>(std::round(y)), static_cast<int64_t>(std::round(x)), c);
  }

  T Bilinear(float y, float x, int64_t c) const {
    const float y0 = std::floor(y), x0 = std::floor(x);
    const float y1 = y0 + 1, x1 = x0 + 1;
    const auto at = [&](float yy, float xx) {
      return static_cast<float>(Read(static_cast<int64_t>(yy), static_cast<int64_t>(xx), c));
    };
    const float top = (x1 - x) * at(y0, x0) + (x - x0) * at(y0, x1);
    const float bottom = (x1 - x) * at(y1, x0) + (x - x0) * at(y1, x1);
    return static_cast<T>((y1 - y) * top + (y - y0) * bottom);
  }

 private:
  const T* image_;
  const int64_t height_, width_, channels_;
  const T fill_;
};

class ImageProjectiveTransformV3Kernel final : public OpKernel {
 public:
  ImageProjectiveTransformV3Kernel(Interpolation interpolation, FillMode mode)
      : interpolation_(interpolation), mode_(mode) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& images = ctx.input(0);
    const Tensor& transforms = ctx.input(1);
    const Tensor& shape = ctx.input(2);
    const Tensor& fill = ctx.input(3);
    if (images.rank() != 4) {
      return ctx.Error("Input images must have rank 4, got shape " + images.shape().DebugString());
    }
    if (transforms.dtype() != tensorflow::DT_FLOAT || transforms.rank() != 2 ||
        (transforms.dim(0) != images.dim(0) && transforms.dim(0) != 1) || transforms.dim(1) != 8) {
      return ctx.Error("Input transform should be num_images x 8 or 1 x 8 float, got " +
                       DataTypeName(transforms.dtype()) + " " + transforms.shape().DebugString());
    }
    if (shape.dtype() != tensorflow::DT_INT32 || shape.rank() != 1 || shape.dim(0) != 2) {
      return ctx.Error("output shape must be a 1-D int32 tensor of two elements, got " +
                       DataTypeName(shape.dtype()) + " " + shape.shape().DebugString());
    }
    const int64_t out_h = shape.flat<int32_t>()[0], out_w = shape.flat<int32_t>()[1];
    if (out_h <= 0 || out_w <= 0) {
      return ctx.Error("output dimensions must be positive, got " + std::to_string(out_h) + "x" +
                       std::to_string(out_w));
    }
    if (fill.dtype() != tensorflow::DT_FLOAT || fill.num_elements() != 1 || fill.rank() != 0) {
      return ctx.Error("fill_value must be a float scalar, got " + DataTypeName(fill.dtype()) +
                       " " + fill.shape().DebugString());
    }
    const float fill_value = fill.flat<float>()[0];
    TERN_ASSIGN_OR_RETURN(
        Tensor * out, ctx.AllocateOutput(0, images.dtype(),
                                         TensorShape{images.dim(0), out_h, out_w, images.dim(3)}));
    switch (images.dtype()) {
      case tensorflow::DT_UINT8: return Run<uint8_t>(images, transforms, fill_value, out);
      case tensorflow::DT_INT32: return Run<int32_t>(images, transforms, fill_value, out);
      case tensorflow::DT_INT64: return Run<int64_t>(images, transforms, fill_value, out);
      case tensorflow::DT_HALF: return Run<Eigen::half>(images, transforms, fill_value, out);
      case tensorflow::DT_FLOAT: return Run<float>(images, transforms, fill_value, out);
      case tensorflow::DT_DOUBLE: return Run<double>(images, transforms, fill_value, out);
      default:
        return ctx.Error("dtype " + DataTypeName(images.dtype()) +
                         " is not supported (uint8, int32, int64, half, float, double)");
    }
  }

 private:
  template <typename T>
  Status Run(const Tensor& images, const Tensor& transforms, float fill_value, Tensor* out) const {
    const int64_t n = images.dim(0), h = images.dim(1), w = images.dim(2), ch = images.dim(3);
    const int64_t out_h = out->dim(1), out_w = out->dim(2);
    const T fill = static_cast<T>(fill_value);
    T* o = out->flat<T>();
    for (int64_t b = 0; b < n; ++b) {
      const float* t = transforms.flat<float>() + (transforms.dim(0) == 1 ? 0 : b * 8);
      const Warper<T> warp(images.flat<T>() + b * h * w * ch, h, w, ch, fill);
      for (int64_t y = 0; y < out_h; ++y) {
        for (int64_t x = 0; x < out_w; ++x) {
          const float fx = static_cast<float>(x), fy = static_cast<float>(y);
          const float projection = t[6] * fx + t[7] * fy + 1.f;
          float in_x = 0, in_y = 0;
          bool outside = projection == 0;  // points at infinity are outside the image
          if (!outside) {
            in_x = MapCoordinate((t[0] * fx + t[1] * fy + t[2]) / projection, w, mode_);
            in_y = MapCoordinate((t[3] * fx + t[4] * fy + t[5]) / projection, h, mode_);
            // CONSTANT leaves coordinates outside the image: taps there read fill_value, so a
            // pixel within one of the edge blends with it, as in TensorFlow. Coordinates too far
            // out (or NaN) to index with read fill_value alone.
            constexpr float kFar = 1e9f;
            outside = !(in_x > -kFar && in_x < kFar && in_y > -kFar && in_y < kFar);
          }
          for (int64_t c = 0; c < ch; ++c, ++o) {
            if (outside) {
              *o = fill;
            } else if (interpolation_ == Interpolation::kNearest) {
              *o = warp.Nearest(in_y, in_x, c);
            } else {
              *o = warp.Bilinear(in_y, in_x, c);
            }
          }
        }
      }
    }
    return Status::Ok();
  }

  const Interpolation interpolation_;
  const FillMode mode_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateImageProjectiveTransformV3Kernel(
    const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(std::string interpolation, c.GetStringAttr("interpolation"));
  Interpolation interp;
  if (interpolation == "NEAREST") {
    interp = Interpolation::kNearest;
  } else if (interpolation == "BILINEAR") {
    interp = Interpolation::kBilinear;
  } else {
    return c.Error("interpolation must be NEAREST or BILINEAR, got '" + interpolation + "'");
  }
  const std::string fill_mode = c.GetStringAttrOr("fill_mode", "CONSTANT");
  FillMode mode;
  if (fill_mode == "REFLECT") {
    mode = FillMode::kReflect;
  } else if (fill_mode == "WRAP") {
    mode = FillMode::kWrap;
  } else if (fill_mode == "CONSTANT") {
    mode = FillMode::kConstant;
  } else if (fill_mode == "NEAREST") {
    mode = FillMode::kNearest;
  } else {
    return c.Error("fill_mode must be REFLECT, WRAP, CONSTANT or NEAREST, got '" + fill_mode + "'");
  }
  return std::unique_ptr<OpKernel>(new ImageProjectiveTransformV3Kernel(interp, mode));
}

}  // namespace tern
