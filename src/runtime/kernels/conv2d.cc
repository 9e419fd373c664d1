// Conv2D: NHWC input [N,H,W,C] * filter [KH,KW,C,OC] (HWIO) -> [N,OH,OW,OC], with strides,
// dilations and SAME/VALID/EXPLICIT padding. Lowered to one GEMM: the input patches are
// gathered into a [N*OH*OW, KH*KW*C] matrix (im2col; skipped for 1x1 stride-1 convolutions,
// where the input already is that matrix) and multiplied by the filter viewed as [KH*KW*C, OC],
// a cache-sized block of rows at a time.
// The filter is read in place (weights are never copied). float, double; float's GEMM is Gemm
// (internal/gemm.h), built for this CPU's vector units.
#include <Eigen/Core>

#include <algorithm>
#include <memory>
#include <type_traits>

#include "runtime/kernels/internal/gemm.h"
#include "runtime/kernels/internal/window.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// Patch rows are gathered this many bytes at a time and multiplied right away, so the patch
// matrix stays in cache: gathering all N*OH*OW rows first made a 64-image batch of a small CNN
// stream ~19 MB per layer through memory and cost more per image than one image alone.
constexpr int64_t kColBlockBytes = 256 * 1024;

// Writes patch rows [row_begin, row_end) of the [N*OH*OW, KH*KW*C] patch matrix into `col`.
template <typename T>
void Im2Col(const T* in, const WindowGeometry& g, const WindowAttrs& a, int64_t row_begin,
            int64_t row_end, T* col) {
  const int64_t c = g.channels;
  const int64_t row_len = g.k_h * g.k_w * c;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const int64_t ow = r % g.out_w;
    const int64_t oh = (r / g.out_w) % g.out_h;
    const int64_t n = r / (g.out_w * g.out_h);
    const T* image = in + n * g.in_h * g.in_w * c;
    T* row = col + (r - row_begin) * row_len;
    const int64_t iw0 = ow * a.stride_w - g.pad_left;
    // Taps kw in [kw_lo, kw_hi) fall inside the image; with dilation 1 they are adjacent in
    // memory, so each kernel row is one copy between zero-filled margins.
    int64_t kw_lo = 0, kw_hi = g.k_w;
    if (a.dilation_w == 1) {
      kw_lo = std::clamp<int64_t>(-iw0, 0, g.k_w);
      kw_hi = std::clamp<int64_t>(g.in_w - iw0, kw_lo, g.k_w);
    }
    for (int64_t kh = 0; kh < g.k_h; ++kh) {
      const int64_t ih = oh * a.stride_h - g.pad_top + kh * a.dilation_h;
      T* dst = row + kh * g.k_w * c;
      if (ih < 0 || ih >= g.in_h) {
        std::fill(dst, dst + g.k_w * c, T(0));
        continue;
      }
      const T* src_row = image + ih * g.in_w * c;
      if (a.dilation_w == 1) {
        std::fill(dst, dst + kw_lo * c, T(0));
        if (kw_hi > kw_lo) {
          std::copy(src_row + (iw0 + kw_lo) * c, src_row + (iw0 + kw_hi) * c, dst + kw_lo * c);
        }
        std::fill(dst + kw_hi * c, dst + g.k_w * c, T(0));
        continue;
      }
      for (int64_t kw = 0; kw < g.k_w; ++kw) {
        const int64_t iw = iw0 + kw * a.dilation_w;
        T* tap = dst + kw * c;
        if (iw < 0 || iw >= g.in_w) {
          std::fill(tap, tap + c, T(0));
        } else {
          std::copy_n(src_row + iw * c, c, tap);
        }
      }
    }
  }
}

// out[rows, n] = lhs[rows, depth] * filter[depth, n], all row-major.
template <typename T>
void MatMul(const T* lhs, const T* filter, T* out, int64_t rows, int64_t depth, int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    Gemm({.a = lhs, .b = filter, .c = out, .m = rows, .k = depth, .n = n});
  } else {
    using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<Matrix>(out, rows, n).noalias() =
        Eigen::Map<const Matrix>(lhs, rows, depth) * Eigen::Map<const Matrix>(filter, depth, n);
  }
}

class Conv2DKernel final : public OpKernel {
 public:
  explicit Conv2DKernel(WindowAttrs attrs) : attrs_(attrs) {}

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
    const int64_t rows = g.batch * g.out_h * g.out_w;
    const int64_t depth = g.k_h * g.k_w * g.channels;
    if (rows == 0 || out_c == 0) return Status::Ok();
    if (depth == 0) return Status::Ok();  // zero-filled already
    const bool direct = g.k_h == 1 && g.k_w == 1 && attrs_.stride_h == 1 && attrs_.stride_w == 1 &&
                        g.pad_top == 0 && g.pad_left == 0;
    const T* in = input.flat<T>();
    const T* w = filter.flat<T>();
    T* o = out->flat<T>();
    if (direct) {
      MatMul(in, w, o, rows, depth, out_c);
      return Status::Ok();
    }
    const int64_t block_rows =
        std::clamp<int64_t>(kColBlockBytes / static_cast<int64_t>(depth * sizeof(T)), 1, rows);
    // Default-initialized: Im2Col writes every element.
    std::unique_ptr<T[]> col(new T[static_cast<size_t>(block_rows * depth)]);
    for (int64_t begin = 0; begin < rows; begin += block_rows) {
      const int64_t end = std::min(rows, begin + block_rows);
      Im2Col(in, g, attrs_, begin, end, col.get());
      MatMul(col.get(), w, o + begin * out_c, end - begin, depth, out_c);
    }
    return Status::Ok();
  }

  const WindowAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateConv2DKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Parse(c, /*pool=*/false));
  return std::unique_ptr<OpKernel>(new Conv2DKernel(attrs));
}

}  // namespace tern
