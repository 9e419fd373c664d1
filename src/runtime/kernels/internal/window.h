// Sliding-window geometry shared by Conv2D, DepthwiseConv2dNative, MaxPool and AvgPool (NHWC):
// the strides/dilations/padding attrs (with OpDef defaults applied) and the output size and
// padding TensorFlow computes for an input. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace tern {

struct WindowAttrs {
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t ksize_h = 1, ksize_w = 1;  // pools only; convolutions take it from the filter
  enum class Padding { kValid, kSame, kExplicit } padding = Padding::kValid;
  int64_t explicit_top = 0, explicit_bottom = 0, explicit_left = 0, explicit_right = 0;

  // Reads strides, padding, dilations (default 1s), explicit_paddings, data_format (NHWC only)
  // and, with `pool`, ksize. Errors name the node and the attr.
  static StatusOr<WindowAttrs> Parse(const KernelConstruction& c, bool pool);
};

struct WindowGeometry {
  int64_t batch, in_h, in_w, channels;
  int64_t k_h, k_w;
  int64_t out_h, out_w;
  int64_t pad_top, pad_left;  // rows/cols of implicit zeros before the input
};

// Output size and padding for an NHWC `input` and a window of k_h x k_w.
StatusOr<WindowGeometry> ComputeWindow(const KernelContext& ctx, const WindowAttrs& a,
                                       const TensorShape& input, int64_t k_h, int64_t k_w);

// The checks Conv2D and DepthwiseConv2dNative share: a 4-D filter [KH,KW,C,x] (`filter_layout`
// names it in errors) of the input's dtype whose C matches the input's channels
// (`channel_mismatch_hint` is appended to that error), then the window geometry.
StatusOr<WindowGeometry> ComputeConvWindow(const KernelContext& ctx, const WindowAttrs& a,
                                           const Tensor& input, const Tensor& filter,
                                           const std::string& filter_layout,
                                           const std::string& channel_mismatch_hint);

}  // namespace tern
