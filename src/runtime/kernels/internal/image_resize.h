// Shared by ResizeBilinear and ResizeNearestNeighbor: the attrs, the checks on `images` (NHWC)
// and `size` (int32 [new_height, new_width]) and the source coordinates, in float arithmetic
// exactly as TensorFlow computes them so the chosen pixels and weights are bit-identical.
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/kernel.h"

namespace tern {

struct ResizeAttrs {
  bool align_corners = false;
  bool half_pixel_centers = false;
};

inline StatusOr<ResizeAttrs> ReadResizeAttrs(const KernelConstruction& c) {
  ResizeAttrs attrs{c.GetBoolAttrOr("align_corners", false),
                    c.GetBoolAttrOr("half_pixel_centers", false)};
  if (attrs.align_corners && attrs.half_pixel_centers) {
    return c.Error("If half_pixel_centers is True, align_corners must be False.");
  }
  return attrs;
}

// The input and output sizes of one resize, from the op's two inputs.
struct ResizeGeometry {
  int64_t batch = 0, in_height = 0, in_width = 0, channels = 0;
  int64_t out_height = 0, out_width = 0;
  float height_scale = 0, width_scale = 0;
};

// Source pixels per destination pixel: align_corners maps the corner pixels onto each other.
inline float ResizeScale(int64_t in_size, int64_t out_size, bool align_corners) {
  return (align_corners && out_size > 1)
             ? static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1)
             : static_cast<float>(in_size) / static_cast<float>(out_size);
}

inline StatusOr<ResizeGeometry> ReadResizeGeometry(const KernelContext& ctx,
                                                   const ResizeAttrs& attrs) {
  const Tensor& images = ctx.input(0);
  const Tensor& size = ctx.input(1);
  if (images.rank() != 4) {
    return ctx.Error("input must be 4-dimensional " + images.shape().DebugString());
  }
  if (size.rank() != 1) {
    return ctx.Error("shape_t must be 1-dimensional " + size.shape().DebugString());
  }
  if (size.num_elements() != 2) {
    return ctx.Error("shape_t must have two elements " + size.shape().DebugString());
  }
  if (size.dtype() != tensorflow::DT_INT32) {
    return ctx.Error("size must be int32, got " + DataTypeName(size.dtype()));
  }
  ResizeGeometry g;
  g.batch = images.shape().dim(0);
  g.in_height = images.shape().dim(1);
  g.in_width = images.shape().dim(2);
  g.channels = images.shape().dim(3);
  g.out_height = size.flat<int32_t>()[0];
  g.out_width = size.flat<int32_t>()[1];
  if (g.out_height <= 0 || g.out_width <= 0) {
    return ctx.Error("output dimensions must be positive, got " + std::to_string(g.out_height) +
                     "x" + std::to_string(g.out_width));
  }
  if (g.in_height <= 0 || g.in_width <= 0) {
    return ctx.Error("input image must be of non-zero size, got " + images.shape().DebugString());
  }
  g.height_scale = ResizeScale(g.in_height, g.out_height, attrs.align_corners);
  g.width_scale = ResizeScale(g.in_width, g.out_width, attrs.align_corners);
  return g;
}

}  // namespace tern
