// AvgPool: the mean of each ksize window (NHWC; strides; SAME/VALID padding). Like TensorFlow,
// a window cut by SAME padding averages only the input positions it covers. float, double; float
// through internal/vector_math.h's PoolRows (vectorized for the CPU at hand), split among idle
// cores.
#include "runtime/kernels/internal/pool_rows.h"
#include "runtime/kernels/internal/window.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
void AvgPool(const T* in, const WindowGeometry& g, const WindowAttrs& a, T* o) {
  const int64_t c = g.channels;
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        T* dst = o + ((n * g.out_h + oh) * g.out_w + ow) * c;
        int64_t count = 0;
        for (int64_t kh = 0; kh < g.k_h; ++kh) {
          const int64_t ih = oh * a.stride_h - g.pad_top + kh;
          if (ih < 0 || ih >= g.in_h) continue;
          for (int64_t kw = 0; kw < g.k_w; ++kw) {
            const int64_t iw = ow * a.stride_w - g.pad_left + kw;
            if (iw < 0 || iw >= g.in_w) continue;
            const T* x = in + ((n * g.in_h + ih) * g.in_w + iw) * c;
            for (int64_t j = 0; j < c; ++j) dst[j] += x[j];
            ++count;
          }
        }
        if (count > 0) {
          for (int64_t j = 0; j < c; ++j) dst[j] /= static_cast<T>(count);
        }
      }
    }
  }
}

class AvgPoolKernel final : public OpKernel {
 public:
  explicit AvgPoolKernel(WindowAttrs attrs) : attrs_(attrs) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    TERN_ASSIGN_OR_RETURN(WindowGeometry g, ComputeWindow(ctx, attrs_, input.shape(),
                                                          attrs_.ksize_h, attrs_.ksize_w));
    const TensorShape shape{g.batch, g.out_h, g.out_w, g.channels};
    switch (input.dtype()) {
      case tensorflow::DT_FLOAT: {
        TERN_ASSIGN_OR_RETURN(
            Tensor * out, ctx.AllocateOutput(0, input.dtype(), shape, Tensor::Contents::kUnset));
        PoolFloatRows(g, attrs_, PoolArgs::Kind::kAverage, input.flat<float>(), out->flat<float>());
        return Status::Ok();
      }
      case tensorflow::DT_DOUBLE: {
        TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, input.dtype(), shape));
        AvgPool(input.flat<double>(), g, attrs_, out->flat<double>());
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

StatusOr<std::unique_ptr<OpKernel>> CreateAvgPoolKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Parse(c, /*pool=*/true));
  return std::unique_ptr<OpKernel>(new AvgPoolKernel(attrs));
}

}  // namespace tern
