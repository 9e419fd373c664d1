// Conv2D: NHWC input [N,H,W,C] * filter [KH,KW,C,OC] (HWIO) -> [N,OH,OW,OC], with strides,
// dilations and SAME/VALID/EXPLICIT padding. float runs on oneDNN (internal/onednn_conv.h:
// primitive per input shape, filter reordered once); double, and shapes oneDNN has only a
// reference implementation for, run the own GEMM lowering (internal/own_conv.h).
// Grouped convolutions (Keras Conv2D(groups=G): the filter's C is the input's channels / G, its
// OC split into G equal parts) run group by group on the own lowering.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "runtime/kernels/internal/onednn_conv.h"
#include "runtime/kernels/internal/own_conv.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class Conv2DKernel final : public OpKernel {
 public:
  explicit Conv2DKernel(WindowAttrs attrs)
      : attrs_(attrs), onednn_(attrs, /*depthwise=*/false, ConvEpilogue{}) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    if (input.rank() == 4 && filter.rank() == 4 && filter.dim(2) > 0 &&
        input.dim(3) != filter.dim(2) && input.dim(3) % filter.dim(2) == 0 &&
        input.dtype() == filter.dtype()) {
      switch (input.dtype()) {
        case tensorflow::DT_FLOAT: return RunGrouped<float>(ctx);
        case tensorflow::DT_DOUBLE: return RunGrouped<double>(ctx);
        default: break;  // the checks below name the dtype
      }
    }
    TERN_ASSIGN_OR_RETURN(WindowGeometry g,
                          ComputeConvWindow(ctx, attrs_, input, filter, "[KH,KW,C,OC]",
                                            " (or a divisor of them, for a grouped convolution)"));
    switch (input.dtype()) {
      case tensorflow::DT_FLOAT: return Run<float>(ctx, g);
      case tensorflow::DT_DOUBLE: return Run<double>(ctx, g);
      default:
        return ctx.Error("dtype " + DataTypeName(input.dtype()) +
                         " is not supported (float, double)");
    }
  }

 private:
  template <typename T>
  Status Run(KernelContext& ctx, const WindowGeometry& g) const {
    const Tensor& input = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    const int64_t out_c = filter.dim(3);
    // Unset: oneDNN writes every element; the own loops accumulate, so they zero it first.
    TERN_ASSIGN_OR_RETURN(
        Tensor * out,
        ctx.AllocateOutput(0, input.dtype(), TensorShape{g.batch, g.out_h, g.out_w, out_c},
                           Tensor::Contents::kUnset));
    if (out->num_elements() == 0) return Status::Ok();
    if constexpr (std::is_same_v<T, float>) {
      if (OneDnnEnabled() &&
          onednn_.Run(g, input.flat<float>(), filter, nullptr, nullptr, out->flat<float>())) {
        return Status::Ok();
      }
    }
    std::fill_n(out->flat<T>(), out->num_elements(), T(0));
    ConvByGemm(input.flat<T>(), filter.flat<T>(), g, attrs_, out_c, out->flat<T>());
    return Status::Ok();
  }

  // Each group: its channel slice of the input, its slice of the filter's output channels.
  template <typename T>
  Status RunGrouped(KernelContext& ctx) const {
    const Tensor& input = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    const int64_t group_c = filter.dim(2), channels = input.dim(3);
    const int64_t groups = channels / group_c, out_c = filter.dim(3);
    if (out_c % groups != 0) {
      return ctx.Error("a grouped convolution of " + std::to_string(groups) +
                       " groups needs output channels divisible by " + std::to_string(groups) +
                       ", filter " + filter.shape().DebugString() + " has " +
                       std::to_string(out_c));
    }
    const int64_t group_oc = out_c / groups;
    TERN_ASSIGN_OR_RETURN(
        WindowGeometry g,
        ComputeWindow(ctx, attrs_, TensorShape{input.dim(0), input.dim(1), input.dim(2), group_c},
                      filter.dim(0), filter.dim(1)));
    TERN_ASSIGN_OR_RETURN(
        Tensor * out,
        ctx.AllocateOutput(0, input.dtype(), TensorShape{g.batch, g.out_h, g.out_w, out_c}));
    if (out->num_elements() == 0) return Status::Ok();
    const int64_t pixels_in = g.batch * g.in_h * g.in_w, pixels_out = g.batch * g.out_h * g.out_w;
    const int64_t taps = filter.dim(0) * filter.dim(1) * group_c;
    std::vector<T> in_slice(static_cast<size_t>(pixels_in * group_c));
    std::vector<T> filter_slice(static_cast<size_t>(taps * group_oc));
    std::vector<T> out_slice(static_cast<size_t>(pixels_out * group_oc));
    const T* x = input.flat<T>();
    const T* w = filter.flat<T>();
    T* y = out->flat<T>();
    for (int64_t group = 0; group < groups; ++group) {
      for (int64_t p = 0; p < pixels_in; ++p) {
        std::copy_n(x + p * channels + group * group_c, group_c, &in_slice[p * group_c]);
      }
      for (int64_t t = 0; t < taps; ++t) {
        std::copy_n(w + t * out_c + group * group_oc, group_oc, &filter_slice[t * group_oc]);
      }
      std::fill(out_slice.begin(), out_slice.end(), T(0));
      ConvByGemm(in_slice.data(), filter_slice.data(), g, attrs_, group_oc, out_slice.data());
      for (int64_t p = 0; p < pixels_out; ++p) {
        std::copy_n(&out_slice[p * group_oc], group_oc, y + p * out_c + group * group_oc);
      }
    }
    return Status::Ok();
  }

  const WindowAttrs attrs_;
  const OneDnnConv onednn_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateConv2DKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Parse(c, /*pool=*/false));
  return std::unique_ptr<OpKernel>(new Conv2DKernel(attrs));
}

}  // namespace tern
