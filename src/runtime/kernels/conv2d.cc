// Conv2D: NHWC input [N,H,W,C] * filter [KH,KW,C,OC] (HWIO) -> [N,OH,OW,OC], with strides,
// dilations and SAME/VALID/EXPLICIT padding. Lowered to one GEMM by Eigen: the input patches are
// gathered into a [N*OH*OW, KH*KW*C] matrix (im2col; skipped for 1x1 stride-1 convolutions,
// where the input already is that matrix) and multiplied by the filter viewed as [KH*KW*C, OC].
// The filter is read in place (weights are never copied). float, double; float's GEMM is Gemm
// (gemm.h), built for this CPU's vector units.
#include <Eigen/Core>
#include <algorithm>
#include <type_traits>
#include <vector>

#include "runtime/kernels/gemm.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/window.h"

namespace tern {
namespace {

template <typename T>
void Im2Col(const T* in, const WindowGeometry& g, const WindowAttrs& a, T* col) {
  const int64_t c = g.channels;
  const int64_t row_len = g.k_h * g.k_w * c;
  for (int64_t n = 0; n < g.batch; ++n) {
    const T* image = in + n * g.in_h * g.in_w * c;
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        T* row = col + ((n * g.out_h + oh) * g.out_w + ow) * row_len;
        for (int64_t kh = 0; kh < g.k_h; ++kh) {
          const int64_t ih = oh * a.stride_h - g.pad_top + kh * a.dilation_h;
          for (int64_t kw = 0; kw < g.k_w; ++kw) {
            const int64_t iw = ow * a.stride_w - g.pad_left + kw * a.dilation_w;
            T* dst = row + (kh * g.k_w + kw) * c;
            if (ih < 0 || ih >= g.in_h || iw < 0 || iw >= g.in_w) {
              std::fill(dst, dst + c, T(0));
            } else {
              std::copy_n(image + (ih * g.in_w + iw) * c, c, dst);
            }
          }
        }
      }
    }
  }
}

class Conv2DKernel final : public OpKernel {
 public:
  explicit Conv2DKernel(WindowAttrs attrs) : attrs_(attrs) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    if (filter.rank() != 4) {
      return ctx.Error("filter must be 4-D [KH,KW,C,OC], got shape " + filter.shape().DebugString());
    }
    if (input.dtype() != filter.dtype()) {
      return ctx.Error("input and filter have different dtypes: " + DataTypeName(input.dtype()) +
                       " and " + DataTypeName(filter.dtype()));
    }
    ASSIGN_OR_RETURN(WindowGeometry g,
                     ComputeWindow(ctx, attrs_, input.shape(), filter.dim(0), filter.dim(1)));
    if (g.channels != filter.dim(2)) {
      return ctx.Error("input has " + std::to_string(g.channels) + " channels but the filter " +
                       filter.shape().DebugString() + " expects " + std::to_string(filter.dim(2)) +
                       " (grouped convolutions are not supported)");
    }
    switch (input.dtype()) {
      case tensorflow::DT_FLOAT: return Run<float>(ctx, g);
      case tensorflow::DT_DOUBLE: return Run<double>(ctx, g);
      default:
        return ctx.Error("dtype " + DataTypeName(input.dtype()) + " is not supported (float, double)");
    }
  }

 private:
  template <typename T>
  Status Run(KernelContext& ctx, const WindowGeometry& g) const {
    using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Tensor& input = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    const int64_t out_c = filter.dim(3);
    ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, input.dtype(),
                                                      TensorShape{g.batch, g.out_h, g.out_w, out_c}));
    const int64_t rows = g.batch * g.out_h * g.out_w;
    const int64_t depth = g.k_h * g.k_w * g.channels;
    if (rows == 0 || out_c == 0) return Status::Ok();
    if (depth == 0) return Status::Ok();  // zero-filled already
    const bool direct = g.k_h == 1 && g.k_w == 1 && attrs_.stride_h == 1 && attrs_.stride_w == 1 &&
                        g.pad_top == 0 && g.pad_left == 0;
    std::vector<T> col;
    const T* lhs = input.flat<T>();
    if (!direct) {
      col.resize(static_cast<size_t>(rows * depth));
      Im2Col(input.flat<T>(), g, attrs_, col.data());
      lhs = col.data();
    }
    if constexpr (std::is_same_v<T, float>) {
      Gemm({.a = lhs, .b = filter.flat<float>(), .c = out->flat<float>(), .m = rows, .k = depth,
            .n = out_c});
      return Status::Ok();
    }
    Eigen::Map<const Matrix> a(lhs, rows, depth);
    Eigen::Map<const Matrix> b(filter.flat<T>(), depth, out_c);
    Eigen::Map<Matrix> c(out->flat<T>(), rows, out_c);
    c.noalias() = a * b;
    return Status::Ok();
  }

  const WindowAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateConv2DKernel(const KernelConstruction& c) {
  ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Parse(c, /*pool=*/false));
  return std::unique_ptr<OpKernel>(new Conv2DKernel(attrs));
}

}  // namespace tern
