// Conv2DBackpropInput: the gradient of Conv2D with respect to its input, which is what Keras'
// Conv2DTranspose runs. input_sizes (int32: [N,H,W,C], or [H,W] with N and C taken from
// out_backprop and filter) is the shape of the Conv2D input; filter is [KH,KW,C,OC] (HWIO);
// out_backprop [N,OH,OW,OC] must be the output shape Conv2D would give for input_sizes, with the
// node's strides, dilations and padding (SAME/VALID/EXPLICIT, NHWC), which also fix where each
// tap lands. Each out_backprop row times the filter (a GEMM against the filter viewed as
// [KH*KW*C, OC], transposed) gives one patch, which is added into the input it was taken from
// (col2im), a cache-sized block of rows at a time. float, double. Dilations are supported, as
// TensorFlow's oneDNN kernel (its default on x86) supports them; its own CPU kernel refuses them.
#include <Eigen/Core>

#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/gemm.h"
#include "runtime/kernels/internal/window.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// Patch rows computed per GEMM, so the patch block stays in cache (as in Conv2D).
constexpr int64_t kColBlockBytes = 256 * 1024;

// col[rows, depth] = grad[rows, oc] * filter[depth, oc]^T, all row-major.
template <typename T>
void PatchGradients(const T* grad, const T* filter, T* col, int64_t rows, int64_t oc,
                    int64_t depth) {
  if constexpr (std::is_same_v<T, float>) {
    Gemm({.a = grad, .b = filter, .c = col, .m = rows, .k = oc, .n = depth, .transpose_b = true});
  } else {
    using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<Matrix>(col, rows, depth).noalias() =
        Eigen::Map<const Matrix>(grad, rows, oc) *
        Eigen::Map<const Matrix>(filter, depth, oc).transpose();
  }
}

// Adds patch rows [row_begin, row_end) of `col` (one row per out_backprop position
// (n, oh, ow), laid out [KH, KW, C]) into the input gradient `out`.
template <typename T>
void Col2Im(const T* col, const WindowGeometry& g, const WindowAttrs& a, int64_t row_begin,
            int64_t row_end, T* out) {
  const int64_t c = g.channels;
  const int64_t row_len = g.k_h * g.k_w * c;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const int64_t ow = r % g.out_w;
    const int64_t oh = (r / g.out_w) % g.out_h;
    const int64_t n = r / (g.out_w * g.out_h);
    T* image = out + n * g.in_h * g.in_w * c;
    const T* row = col + (r - row_begin) * row_len;
    for (int64_t kh = 0; kh < g.k_h; ++kh) {
      const int64_t ih = oh * a.stride_h - g.pad_top + kh * a.dilation_h;
      if (ih < 0 || ih >= g.in_h) continue;
      for (int64_t kw = 0; kw < g.k_w; ++kw) {
        const int64_t iw = ow * a.stride_w - g.pad_left + kw * a.dilation_w;
        if (iw < 0 || iw >= g.in_w) continue;
        T* dst = image + (ih * g.in_w + iw) * c;
        const T* src = row + (kh * g.k_w + kw) * c;
        for (int64_t ch = 0; ch < c; ++ch) dst[ch] += src[ch];
      }
    }
  }
}

class Conv2DBackpropInputKernel final : public OpKernel {
 public:
  explicit Conv2DBackpropInputKernel(WindowAttrs attrs) : attrs_(attrs) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& filter = ctx.input(1);
    const Tensor& grad = ctx.input(2);
    if (filter.rank() != 4) {
      return ctx.Error("filter must be 4-dimensional [KH,KW,C,OC], got shape " +
                       filter.shape().DebugString());
    }
    if (grad.rank() != 4) {
      return ctx.Error("out_backprop must be 4-dimensional [N,OH,OW,OC], got shape " +
                       grad.shape().DebugString());
    }
    if (filter.dtype() != grad.dtype()) {
      return ctx.Error("filter and out_backprop have different dtypes: " +
                       DataTypeName(filter.dtype()) + " and " + DataTypeName(grad.dtype()));
    }
    if (ctx.input(0).dtype() != tensorflow::DT_INT32) {
      return ctx.Error("input_sizes must be int32, got " + DataTypeName(ctx.input(0).dtype()));
    }
    std::vector<int64_t> sizes;
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(0), "input_sizes", &sizes));
    if (sizes.size() == 2) {
      sizes = {grad.dim(0), sizes[0], sizes[1], filter.dim(2)};
    } else if (sizes.size() != 4) {
      return ctx.Error("input_sizes must be a 4-element [N,H,W,C] or 2-element [H,W] vector, got " +
                       std::to_string(sizes.size()) + " elements");
    }
    for (int64_t s : sizes) {
      if (s < 0) return ctx.Error("input_sizes has a negative dimension: " + std::to_string(s));
    }
    const TensorShape input_shape(sizes);
    if (sizes[0] != grad.dim(0)) {
      return ctx.Error("input and out_backprop must have the same batch size, got " +
                       std::to_string(sizes[0]) + " and " + std::to_string(grad.dim(0)));
    }
    if (sizes[3] != filter.dim(2)) {
      return ctx.Error("input and filter must have the same depth: " + std::to_string(sizes[3]) +
                       " vs " + std::to_string(filter.dim(2)));
    }
    if (grad.dim(3) != filter.dim(3)) {
      return ctx.Error("filter and out_backprop must have the same out_depth: " +
                       std::to_string(filter.dim(3)) + " vs " + std::to_string(grad.dim(3)));
    }
    TERN_ASSIGN_OR_RETURN(WindowGeometry g,
                          ComputeWindow(ctx, attrs_, input_shape, filter.dim(0), filter.dim(1)));
    if (g.out_h != grad.dim(1) || g.out_w != grad.dim(2)) {
      return ctx.Error("size of out_backprop " + grad.shape().DebugString() +
                       " doesn't match the Conv2D output for input " + input_shape.DebugString() +
                       " and filter " + filter.shape().DebugString() + ": [" +
                       std::to_string(g.batch) + "," + std::to_string(g.out_h) + "," +
                       std::to_string(g.out_w) + "," + std::to_string(filter.dim(3)) + "]");
    }
    switch (grad.dtype()) {
      case tensorflow::DT_FLOAT: return Run<float>(ctx, g, input_shape);
      case tensorflow::DT_DOUBLE: return Run<double>(ctx, g, input_shape);
      default:
        return ctx.Error("dtype " + DataTypeName(grad.dtype()) +
                         " is not supported (float, double)");
    }
  }

 private:
  template <typename T>
  Status Run(KernelContext& ctx, const WindowGeometry& g, const TensorShape& input_shape) const {
    const Tensor& filter = ctx.input(1);
    const Tensor& grad = ctx.input(2);
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, grad.dtype(), input_shape));
    const int64_t rows = g.batch * g.out_h * g.out_w;
    const int64_t oc = filter.dim(3);
    const int64_t depth = g.k_h * g.k_w * g.channels;
    // Nothing flows back through an empty window or channel set: the zero-filled output stands.
    if (rows == 0 || depth == 0 || oc == 0 || out->num_elements() == 0) return Status::Ok();
    const int64_t block_rows =
        std::clamp<int64_t>(kColBlockBytes / static_cast<int64_t>(depth * sizeof(T)), 1, rows);
    std::unique_ptr<T[]> col(new T[static_cast<size_t>(block_rows * depth)]);
    for (int64_t begin = 0; begin < rows; begin += block_rows) {
      const int64_t end = std::min(rows, begin + block_rows);
      PatchGradients(grad.flat<T>() + begin * oc, filter.flat<T>(), col.get(), end - begin, oc,
                     depth);
      Col2Im(col.get(), g, attrs_, begin, end, out->flat<T>());
    }
    return Status::Ok();
  }

  const WindowAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateConv2DBackpropInputKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Parse(c, /*pool=*/false));
  return std::unique_ptr<OpKernel>(new Conv2DBackpropInputKernel(attrs));
}

}  // namespace tern
