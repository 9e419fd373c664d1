#include "runtime/kernels/internal/window.h"

#include <algorithm>

namespace tern {

StatusOr<WindowAttrs> WindowAttrs::Parse(const KernelConstruction& c, bool pool) {
  WindowAttrs a;
  const std::string format = c.GetStringAttrOr("data_format", "NHWC");
  if (format != "NHWC") {
    return c.Error("data_format " + format +
                   " is not supported on CPU (NHWC only, as in "
                   "TensorFlow)");
  }
  TERN_ASSIGN_OR_RETURN(std::vector<int64_t> strides, c.GetIntListAttr("strides"));
  if (strides.size() != 4 || strides[0] != 1 || strides[3] != 1 || strides[1] < 1 ||
      strides[2] < 1) {
    return c.Error("strides must be [1, h, w, 1] with h, w >= 1");
  }
  a.stride_h = strides[1];
  a.stride_w = strides[2];
  if (c.HasAttr("dilations")) {
    TERN_ASSIGN_OR_RETURN(std::vector<int64_t> d, c.GetIntListAttr("dilations"));
    if (d.size() != 4 || d[0] != 1 || d[3] != 1 || d[1] < 1 || d[2] < 1) {
      return c.Error("dilations must be [1, h, w, 1] with h, w >= 1");
    }
    a.dilation_h = d[1];
    a.dilation_w = d[2];
  }
  if (pool) {
    TERN_ASSIGN_OR_RETURN(std::vector<int64_t> k, c.GetIntListAttr("ksize"));
    if (k.size() != 4 || k[0] != 1 || k[3] != 1 || k[1] < 1 || k[2] < 1) {
      return c.Error("ksize must be [1, h, w, 1] with h, w >= 1");
    }
    a.ksize_h = k[1];
    a.ksize_w = k[2];
  }
  TERN_ASSIGN_OR_RETURN(std::string padding, c.GetStringAttr("padding"));
  if (padding == "VALID") {
    a.padding = Padding::kValid;
  } else if (padding == "SAME") {
    a.padding = Padding::kSame;
  } else if (padding == "EXPLICIT") {
    a.padding = Padding::kExplicit;
    TERN_ASSIGN_OR_RETURN(std::vector<int64_t> p, c.GetIntListAttr("explicit_paddings"));
    if (p.size() != 8 || p[0] || p[1] || p[6] || p[7] ||
        std::any_of(p.begin(), p.end(), [](int64_t v) { return v < 0; })) {
      return c.Error("explicit_paddings must be 8 non-negative values padding only H and W");
    }
    a.explicit_top = p[2];
    a.explicit_bottom = p[3];
    a.explicit_left = p[4];
    a.explicit_right = p[5];
  } else {
    return c.Error("padding must be SAME, VALID or EXPLICIT, got '" + padding + "'");
  }
  return a;
}

namespace {

// One spatial dimension: output size and implicit padding before the input.
bool OneDim(const WindowAttrs& a, int64_t in, int64_t k, int64_t stride, int64_t dilation,
            int64_t explicit_before, int64_t explicit_after, int64_t* out, int64_t* pad_before) {
  const int64_t effective = (k - 1) * dilation + 1;
  switch (a.padding) {
    case WindowAttrs::Padding::kValid:
      *pad_before = 0;
      *out = in >= effective ? (in - effective) / stride + 1 : 0;
      return in >= effective || in == 0;
    case WindowAttrs::Padding::kSame: {
      *out = (in + stride - 1) / stride;
      const int64_t total = std::max<int64_t>((*out - 1) * stride + effective - in, 0);
      *pad_before = total / 2;
      return true;
    }
    case WindowAttrs::Padding::kExplicit: {
      const int64_t padded = in + explicit_before + explicit_after;
      *pad_before = explicit_before;
      *out = padded >= effective ? (padded - effective) / stride + 1 : 0;
      return padded >= effective;
    }
  }
  return false;
}

}  // namespace

StatusOr<WindowGeometry> ComputeWindow(const KernelContext& ctx, const WindowAttrs& a,
                                       const TensorShape& input, int64_t k_h, int64_t k_w) {
  if (input.rank() != 4) {
    return ctx.Error("input must be 4-D (NHWC), got shape " + input.DebugString());
  }
  WindowGeometry g{input.dim(0), input.dim(1), input.dim(2), input.dim(3), k_h, k_w, 0, 0, 0, 0};
  if (!OneDim(a, g.in_h, k_h, a.stride_h, a.dilation_h, a.explicit_top, a.explicit_bottom, &g.out_h,
              &g.pad_top) ||
      !OneDim(a, g.in_w, k_w, a.stride_w, a.dilation_w, a.explicit_left, a.explicit_right, &g.out_w,
              &g.pad_left)) {
    return ctx.Error("the " + std::to_string(k_h) + "x" + std::to_string(k_w) +
                     " window (dilated) does not fit input " + input.DebugString() +
                     " with VALID padding");
  }
  return g;
}

StatusOr<WindowGeometry> ComputeConvWindow(const KernelContext& ctx, const WindowAttrs& a,
                                           const Tensor& input, const Tensor& filter,
                                           const std::string& filter_layout,
                                           const std::string& channel_mismatch_hint) {
  if (filter.rank() != 4) {
    return ctx.Error("filter must be 4-D " + filter_layout + ", got shape " +
                     filter.shape().DebugString());
  }
  if (input.dtype() != filter.dtype()) {
    return ctx.Error("input and filter have different dtypes: " + DataTypeName(input.dtype()) +
                     " and " + DataTypeName(filter.dtype()));
  }
  TERN_ASSIGN_OR_RETURN(WindowGeometry g,
                        ComputeWindow(ctx, a, input.shape(), filter.dim(0), filter.dim(1)));
  if (g.channels != filter.dim(2)) {
    return ctx.Error("input has " + std::to_string(g.channels) + " channels but the filter " +
                     filter.shape().DebugString() + " expects " + std::to_string(filter.dim(2)) +
                     channel_mismatch_hint);
  }
  return g;
}

}  // namespace tern
