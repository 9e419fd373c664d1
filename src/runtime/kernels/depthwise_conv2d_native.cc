// DepthwiseConv2dNative: each input channel c convolved with its own filters
// [KH,KW,C,M] -> output channel c*M+m, with strides, dilations and SAME/VALID/EXPLICIT padding
// (NHWC). A direct loop whose innermost run is the contiguous C*M filter row, which the compiler
// vectorizes; there is no GEMM to hand this to. float, double.
#include "runtime/kernels/internal/window.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
void Depthwise(const T* in, const T* filter, const WindowGeometry& g, const WindowAttrs& a,
               int64_t mult, T* out) {
  const int64_t c = g.channels;
  const int64_t oc = c * mult;
  for (int64_t n = 0; n < g.batch; ++n) {
    const T* image = in + n * g.in_h * g.in_w * c;
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        T* o = out + ((n * g.out_h + oh) * g.out_w + ow) * oc;
        for (int64_t kh = 0; kh < g.k_h; ++kh) {
          const int64_t ih = oh * a.stride_h - g.pad_top + kh * a.dilation_h;
          if (ih < 0 || ih >= g.in_h) continue;
          for (int64_t kw = 0; kw < g.k_w; ++kw) {
            const int64_t iw = ow * a.stride_w - g.pad_left + kw * a.dilation_w;
            if (iw < 0 || iw >= g.in_w) continue;
            const T* x = image + (ih * g.in_w + iw) * c;
            const T* f = filter + (kh * g.k_w + kw) * oc;
            if (mult == 1) {
              for (int64_t j = 0; j < c; ++j) o[j] += x[j] * f[j];
            } else {
              for (int64_t j = 0; j < c; ++j) {
                for (int64_t m = 0; m < mult; ++m) o[j * mult + m] += x[j] * f[j * mult + m];
              }
            }
          }
        }
      }
    }
  }
}

class DepthwiseKernel final : public OpKernel {
 public:
  explicit DepthwiseKernel(WindowAttrs attrs) : attrs_(attrs) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    TERN_ASSIGN_OR_RETURN(WindowGeometry g,
                          ComputeConvWindow(ctx, attrs_, input, filter, "[KH,KW,C,M]", ""));
    const int64_t mult = filter.dim(3);
    const TensorShape shape{g.batch, g.out_h, g.out_w, g.channels * mult};
    switch (input.dtype()) {
      case tensorflow::DT_FLOAT: {
        TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, input.dtype(), shape));
        Depthwise(input.flat<float>(), filter.flat<float>(), g, attrs_, mult, out->flat<float>());
        return Status::Ok();
      }
      case tensorflow::DT_DOUBLE: {
        TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, input.dtype(), shape));
        Depthwise(input.flat<double>(), filter.flat<double>(), g, attrs_, mult,
                  out->flat<double>());
        return Status::Ok();
      }
      default:
        return ctx.Error("dtype " + DataTypeName(input.dtype()) +
                         " is not supported (float, double)");
    }
  }

 private:
  const WindowAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateDepthwiseConv2dNativeKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Parse(c, /*pool=*/false));
  return std::unique_ptr<OpKernel>(new DepthwiseKernel(attrs));
}

}  // namespace tern
