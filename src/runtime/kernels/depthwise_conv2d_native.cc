// DepthwiseConv2dNative: each input channel c convolved with its own filters
// [KH,KW,C,M] -> output channel c*M+m, with strides, dilations and SAME/VALID/EXPLICIT padding
// (NHWC). float runs on oneDNN as a grouped convolution (internal/onednn_conv.h); double, and
// shapes oneDNN has only a reference implementation for, run the own direct loop
// (internal/own_conv.h).
#include <algorithm>
#include <memory>

#include "runtime/kernels/internal/onednn_conv.h"
#include "runtime/kernels/internal/own_conv.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class DepthwiseKernel final : public OpKernel {
 public:
  explicit DepthwiseKernel(WindowAttrs attrs)
      : attrs_(attrs), onednn_(attrs, /*depthwise=*/true, ConvEpilogue{}) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    TERN_ASSIGN_OR_RETURN(WindowGeometry g,
                          ComputeConvWindow(ctx, attrs_, input, filter, "[KH,KW,C,M]", ""));
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
    const int64_t mult = filter.dim(3);
    // Unset: oneDNN writes every element; the own loops accumulate, so they zero it first.
    TERN_ASSIGN_OR_RETURN(
        Tensor * out, ctx.AllocateOutput(0, input.dtype(),
                                         TensorShape{g.batch, g.out_h, g.out_w, g.channels * mult},
                                         Tensor::Contents::kUnset));
    if (out->num_elements() == 0) return Status::Ok();
    if constexpr (std::is_same_v<T, float>) {
      if (OneDnnEnabled() &&
          onednn_.Run(g, input.flat<float>(), filter, nullptr, nullptr, out->flat<float>())) {
        return Status::Ok();
      }
    }
    std::fill_n(out->flat<T>(), out->num_elements(), T(0));
    DepthwiseDirect(input.flat<T>(), filter.flat<T>(), g, attrs_, mult, out->flat<T>());
    return Status::Ok();
  }

  const WindowAttrs attrs_;
  const OneDnnConv onednn_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateDepthwiseConv2dNativeKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Parse(c, /*pool=*/false));
  return std::unique_ptr<OpKernel>(new DepthwiseKernel(attrs));
}

}  // namespace tern
