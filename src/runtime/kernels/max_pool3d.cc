// MaxPool3D: the largest value in each ksize window (NDHWC; strides; SAME/VALID padding, padded
// positions never win; a window of -inf gives -inf, as TensorFlow's), what Keras' MaxPooling3D
// runs. float (TensorFlow's CPU kernel also takes half and bfloat16, which Keras models do not
// export by default).
#include <algorithm>
#include <limits>

#include "runtime/kernels/internal/window3d.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class MaxPool3DKernel final : public OpKernel {
 public:
  explicit MaxPool3DKernel(Window3DAttrs attrs) : attrs_(attrs) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    if (input.dtype() != tensorflow::DT_FLOAT) {
      return ctx.Error("dtype " + DataTypeName(input.dtype()) + " is not supported (float)");
    }
    TERN_ASSIGN_OR_RETURN(Window3DGeometry g,
                          ComputeWindow3D(ctx, attrs_, input.shape(), attrs_.ksize));
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, input.dtype(),
                                                           TensorShape{g.batch, g.out[0], g.out[1],
                                                                       g.out[2], g.channels}));
    const float* in = input.flat<float>();
    float* o = out->flat<float>();
    const int64_t c = g.channels;
    const auto& s = attrs_.strides;
    for (int64_t n = 0; n < g.batch; ++n) {
      for (int64_t od = 0; od < g.out[0]; ++od) {
        for (int64_t oh = 0; oh < g.out[1]; ++oh) {
          for (int64_t ow = 0; ow < g.out[2]; ++ow) {
            float* dst = o + (((n * g.out[0] + od) * g.out[1] + oh) * g.out[2] + ow) * c;
            std::fill(dst, dst + c, -std::numeric_limits<float>::infinity());
            for (int64_t kd = 0; kd < g.k[0]; ++kd) {
              const int64_t id = od * s[0] - g.pad[0] + kd;
              if (id < 0 || id >= g.in[0]) continue;
              for (int64_t kh = 0; kh < g.k[1]; ++kh) {
                const int64_t ih = oh * s[1] - g.pad[1] + kh;
                if (ih < 0 || ih >= g.in[1]) continue;
                for (int64_t kw = 0; kw < g.k[2]; ++kw) {
                  const int64_t iw = ow * s[2] - g.pad[2] + kw;
                  if (iw < 0 || iw >= g.in[2]) continue;
                  const float* x = in + (((n * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw) * c;
                  for (int64_t j = 0; j < c; ++j) dst[j] = x[j] > dst[j] ? x[j] : dst[j];
                }
              }
            }
          }
        }
      }
    }
    return Status::Ok();
  }

 private:
  const Window3DAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateMaxPool3DKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(Window3DAttrs attrs, Window3DAttrs::Parse(c, /*pool=*/true));
  return std::unique_ptr<OpKernel>(new MaxPool3DKernel(attrs));
}

}  // namespace tern
