// Conv2D: NHWC input [N,H,W,C] * filter [KH,KW,C,OC] (HWIO) -> [N,OH,OW,OC], with strides,
// dilations and SAME/VALID/EXPLICIT padding. float runs on oneDNN (internal/onednn_conv.h:
// primitive per input shape, filter reordered once); double, and shapes oneDNN has only a
// reference implementation for, run the own GEMM lowering (internal/own_conv.h).
#include <memory>

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
    TERN_ASSIGN_OR_RETURN(WindowGeometry g,
                          ComputeConvWindow(ctx, attrs_, input, filter, "[KH,KW,C,OC]",
                                            " (grouped convolutions are not supported)"));
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
    TERN_ASSIGN_OR_RETURN(
        Tensor * out,
        ctx.AllocateOutput(0, input.dtype(), TensorShape{g.batch, g.out_h, g.out_w, out_c}));
    if (out->num_elements() == 0) return Status::Ok();
    if constexpr (std::is_same_v<T, float>) {
      if (OneDnnEnabled() &&
          onednn_.Run(g, input.flat<float>(), filter, nullptr, nullptr, out->flat<float>())) {
        return Status::Ok();
      }
    }
    ConvByGemm(input.flat<T>(), filter.flat<T>(), g, attrs_, out_c, out->flat<T>());
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
