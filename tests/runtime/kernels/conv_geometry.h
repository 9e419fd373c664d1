// The window geometry TensorFlow computes for a square-strided, square-dilated convolution with
// SAME or VALID padding, for kernel tests that build geometries without a graph.
#pragma once

#include <algorithm>
#include <cstdint>

#include "runtime/kernels/internal/window.h"

namespace tern {

struct ConvShape {
  int64_t batch, in_h, in_w, channels, k_h, k_w;
  int64_t stride = 1, dilation = 1;
  bool same = true;
};

// Sets `attrs`' strides, dilations and padding, and returns the output size and leading padding.
inline WindowGeometry ConvGeometry(const ConvShape& s, WindowAttrs* attrs) {
  attrs->stride_h = attrs->stride_w = s.stride;
  attrs->dilation_h = attrs->dilation_w = s.dilation;
  attrs->padding = s.same ? WindowAttrs::Padding::kSame : WindowAttrs::Padding::kValid;
  auto size = [&](int64_t in, int64_t k, int64_t* pad) {
    const int64_t effective = (k - 1) * s.dilation + 1;
    if (!s.same) {
      *pad = 0;
      return (in - effective) / s.stride + 1;
    }
    const int64_t out = (in + s.stride - 1) / s.stride;
    *pad = std::max<int64_t>((out - 1) * s.stride + effective - in, 0) / 2;
    return out;
  };
  WindowGeometry g{};
  g.batch = s.batch;
  g.in_h = s.in_h;
  g.in_w = s.in_w;
  g.channels = s.channels;
  g.k_h = s.k_h;
  g.k_w = s.k_w;
  g.out_h = size(s.in_h, s.k_h, &g.pad_top);
  g.out_w = size(s.in_w, s.k_w, &g.pad_left);
  return g;
}

}  // namespace tern
