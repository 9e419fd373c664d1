// CropAndResize: for each box [y1, x1, y2, x2] (normalised: 0 and 1 are the first and last pixel
// centres, so boxes may flip or reach outside the image) of image box_ind[b], samples a
// crop_size grid, float32 output [num_boxes, crop_height, crop_width, depth]. method "bilinear"
// (default) interpolates, "nearest" rounds to the closest pixel; grid points outside the image
// get extrapolation_value. The sample positions use TensorFlow's expressions and float/double
// mix, so the outputs match it bit for bit.
#include <Eigen/Core>

#include <cmath>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// The source coordinate of grid point i of n along an axis of `size` pixels, for a box edge
// pair (a, b) and scale = (b - a) * (size - 1) / (n - 1).
float SamplePosition(float a, float b, int64_t size, int64_t n, float scale, int64_t i) {
  return n > 1 ? a * static_cast<float>(size - 1) + static_cast<float>(i) * scale
               : static_cast<float>(0.5 * (a + b) * static_cast<double>(size - 1));
}

class CropAndResizeKernel final : public OpKernel {
 public:
  CropAndResizeKernel(bool nearest, float extrapolation_value)
      : nearest_(nearest), extrapolation_value_(extrapolation_value) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& image = ctx.input(0);
    const Tensor& boxes = ctx.input(1);
    const Tensor& box_ind = ctx.input(2);
    const Tensor& crop_size = ctx.input(3);
    if (image.rank() != 4) {
      return ctx.Error("input image must be 4-D, got " + image.shape().DebugString());
    }
    const int64_t batch = image.shape().dim(0), height = image.shape().dim(1),
                  width = image.shape().dim(2), depth = image.shape().dim(3);
    if (height <= 0 || width <= 0) return ctx.Error("image dimensions must be positive");
    if (boxes.dtype() != tensorflow::DT_FLOAT || boxes.rank() != 2 || boxes.shape().dim(1) != 4) {
      return ctx.Error("boxes must be float [num_boxes, 4], got " + DataTypeName(boxes.dtype()) +
                       " " + boxes.shape().DebugString());
    }
    const int64_t num_boxes = boxes.shape().dim(0);
    if (box_ind.dtype() != tensorflow::DT_INT32 || box_ind.rank() != 1 ||
        box_ind.shape().dim(0) != num_boxes) {
      return ctx.Error("box_index has incompatible shape " + box_ind.shape().DebugString() +
                       " for " + std::to_string(num_boxes) + " boxes");
    }
    if (crop_size.dtype() != tensorflow::DT_INT32 || crop_size.num_elements() != 2) {
      return ctx.Error("crop_size must be two int32 elements, got " +
                       crop_size.shape().DebugString());
    }
    const int64_t crop_height = crop_size.flat<int32_t>()[0];
    const int64_t crop_width = crop_size.flat<int32_t>()[1];
    if (crop_height <= 0 || crop_width <= 0) {
      return ctx.Error("crop dimensions must be positive");
    }
    const int32_t* index = box_ind.flat<int32_t>();
    for (int64_t b = 0; b < num_boxes; ++b) {
      if (index[b] < 0 || index[b] >= batch) {
        return ctx.Error("box_index has values outside [0, batch_size): box " + std::to_string(b) +
                         " has " + std::to_string(index[b]));
      }
    }
    Tensor out(tensorflow::DT_FLOAT, TensorShape{num_boxes, crop_height, crop_width, depth});
    if (image.dtype() == tensorflow::DT_HALF) {
      Crop(image.flat<Eigen::half>(), boxes.flat<float>(), index, num_boxes, height, width, depth,
           crop_height, crop_width, out.flat<float>());
    } else {
      TERN_RETURN_IF_ERROR(DispatchRealNumber(
          image.dtype(), "image",
          [&]<typename T>() {
            Crop(image.flat<T>(), boxes.flat<float>(), index, num_boxes, height, width, depth,
                 crop_height, crop_width, out.flat<float>());
            return Status::Ok();
          },
          ctx));
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  template <typename T>
  void Crop(const T* image, const float* boxes, const int32_t* index, int64_t num_boxes,
            int64_t height, int64_t width, int64_t depth, int64_t crop_height, int64_t crop_width,
            float* out) const {
    const int64_t row = width * depth;
    for (int64_t b = 0; b < num_boxes; ++b) {
      const float y1 = boxes[4 * b], x1 = boxes[4 * b + 1], y2 = boxes[4 * b + 2],
                  x2 = boxes[4 * b + 3];
      const T* source = image + index[b] * height * row;
      const float height_scale = crop_height > 1 ? (y2 - y1) * static_cast<float>(height - 1) /
                                                       static_cast<float>(crop_height - 1)
                                                 : 0;
      const float width_scale = crop_width > 1 ? (x2 - x1) * static_cast<float>(width - 1) /
                                                     static_cast<float>(crop_width - 1)
                                               : 0;
      for (int64_t y = 0; y < crop_height; ++y) {
        float* out_row = out + ((b * crop_height + y) * crop_width) * depth;
        const float in_y = SamplePosition(y1, y2, height, crop_height, height_scale, y);
        if (in_y < 0 || in_y > static_cast<float>(height - 1)) {
          for (int64_t i = 0; i < crop_width * depth; ++i) out_row[i] = extrapolation_value_;
          continue;
        }
        const int64_t top = static_cast<int64_t>(std::floor(in_y));
        const int64_t bottom = static_cast<int64_t>(std::ceil(in_y));
        const float y_lerp = in_y - static_cast<float>(top);
        for (int64_t x = 0; x < crop_width; ++x) {
          float* pixel = out_row + x * depth;
          const float in_x = SamplePosition(x1, x2, width, crop_width, width_scale, x);
          if (in_x < 0 || in_x > static_cast<float>(width - 1)) {
            for (int64_t d = 0; d < depth; ++d) pixel[d] = extrapolation_value_;
            continue;
          }
          if (nearest_) {
            const T* closest = source + static_cast<int64_t>(std::round(in_y)) * row +
                               static_cast<int64_t>(std::round(in_x)) * depth;
            for (int64_t d = 0; d < depth; ++d) pixel[d] = static_cast<float>(closest[d]);
            continue;
          }
          const int64_t left = static_cast<int64_t>(std::floor(in_x));
          const int64_t right = static_cast<int64_t>(std::ceil(in_x));
          const float x_lerp = in_x - static_cast<float>(left);
          for (int64_t d = 0; d < depth; ++d) {
            const float top_left = static_cast<float>(source[top * row + left * depth + d]);
            const float top_right = static_cast<float>(source[top * row + right * depth + d]);
            const float bottom_left = static_cast<float>(source[bottom * row + left * depth + d]);
            const float bottom_right = static_cast<float>(source[bottom * row + right * depth + d]);
            const float top_value = top_left + (top_right - top_left) * x_lerp;
            const float bottom_value = bottom_left + (bottom_right - bottom_left) * x_lerp;
            pixel[d] = top_value + (bottom_value - top_value) * y_lerp;
          }
        }
      }
    }
  }

  const bool nearest_;
  const float extrapolation_value_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateCropAndResizeKernel(const KernelConstruction& c) {
  const std::string method = c.GetStringAttrOr("method", "bilinear");
  if (method != "bilinear" && method != "nearest") {
    return c.Error("method must be 'bilinear' or 'nearest', got '" + method + "'");
  }
  float extrapolation_value = 0;
  if (c.HasAttr("extrapolation_value")) {
    TERN_ASSIGN_OR_RETURN(extrapolation_value, c.GetFloatAttr("extrapolation_value"));
  }
  return std::unique_ptr<OpKernel>(
      new CropAndResizeKernel(method == "nearest", extrapolation_value));
}

}  // namespace tern
