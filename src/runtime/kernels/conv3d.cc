// Conv3D: input [N,D,H,W,C] convolved with filter [KD,KH,KW,C,OC] (NDHWC; strides, dilations,
// SAME/VALID padding), what Keras' Conv3D runs. Lowered to GEMM like Conv2D's own loops: the
// input patches of a cache-sized block of output positions are gathered into rows of
// [KD*KH*KW*C] (im2col) and multiplied by the filter viewed as [KD*KH*KW*C, OC]. float, double.
// Grouped convolutions (C a multiple of the filter's C) are refused, as TensorFlow's CPU kernel
// refuses them.
#include <Eigen/Core>

#include <algorithm>
#include <memory>
#include <type_traits>

#include "runtime/kernels/internal/gemm.h"
#include "runtime/kernels/internal/window3d.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

constexpr int64_t kColBlockBytes = 256 * 1024;

// Writes patch rows [row_begin, row_end) (one per output position (n, od, oh, ow), laid out
// [KD, KH, KW, C], zeros where the window leaves the input) into `col`.
template <typename T>
void Im2Col3D(const T* in, const Window3DGeometry& g, const Window3DAttrs& a, int64_t row_begin,
              int64_t row_end, T* col) {
  const int64_t c = g.channels;
  const int64_t row_len = g.k[0] * g.k[1] * g.k[2] * c;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const int64_t ow = r % g.out[2];
    const int64_t oh = (r / g.out[2]) % g.out[1];
    const int64_t od = (r / (g.out[2] * g.out[1])) % g.out[0];
    const int64_t n = r / (g.out[2] * g.out[1] * g.out[0]);
    const T* volume = in + n * g.in[0] * g.in[1] * g.in[2] * c;
    T* tap = col + (r - row_begin) * row_len;
    for (int64_t kd = 0; kd < g.k[0]; ++kd) {
      const int64_t id = od * a.strides[0] - g.pad[0] + kd * a.dilations[0];
      for (int64_t kh = 0; kh < g.k[1]; ++kh) {
        const int64_t ih = oh * a.strides[1] - g.pad[1] + kh * a.dilations[1];
        for (int64_t kw = 0; kw < g.k[2]; ++kw, tap += c) {
          const int64_t iw = ow * a.strides[2] - g.pad[2] + kw * a.dilations[2];
          if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 || iw >= g.in[2]) {
            std::fill(tap, tap + c, T(0));
          } else {
            std::copy_n(volume + ((id * g.in[1] + ih) * g.in[2] + iw) * c, c, tap);
          }
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

class Conv3DKernel final : public OpKernel {
 public:
  explicit Conv3DKernel(Window3DAttrs attrs) : attrs_(attrs) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    if (filter.rank() != 5) {
      return ctx.Error("filter must be 5-D [KD,KH,KW,C,OC], got shape " +
                       filter.shape().DebugString());
    }
    if (input.dtype() != filter.dtype()) {
      return ctx.Error("input and filter have different dtypes: " + DataTypeName(input.dtype()) +
                       " and " + DataTypeName(filter.dtype()));
    }
    TERN_ASSIGN_OR_RETURN(
        Window3DGeometry g,
        ComputeWindow3D(ctx, attrs_, input.shape(), {filter.dim(0), filter.dim(1), filter.dim(2)}));
    if (g.channels != filter.dim(3)) {
      return ctx.Error(
          "input depth must equal the filter's in_depth: " + std::to_string(g.channels) + " vs " +
          std::to_string(filter.dim(3)) + " (input " + input.shape().DebugString() + ", filter " +
          filter.shape().DebugString() + ")");
    }
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
  Status Run(KernelContext& ctx, const Window3DGeometry& g) const {
    const Tensor& filter = ctx.input(1);
    const int64_t oc = filter.dim(4);
    TERN_ASSIGN_OR_RETURN(
        Tensor * out, ctx.AllocateOutput(0, ctx.input(0).dtype(),
                                         TensorShape{g.batch, g.out[0], g.out[1], g.out[2], oc}));
    const int64_t rows = g.out_positions();
    const int64_t depth = g.k[0] * g.k[1] * g.k[2] * g.channels;
    if (rows == 0 || oc == 0 || depth == 0) return Status::Ok();  // zero-filled already
    const int64_t block_rows =
        std::clamp<int64_t>(kColBlockBytes / static_cast<int64_t>(depth * sizeof(T)), 1, rows);
    std::unique_ptr<T[]> col(new T[static_cast<size_t>(block_rows * depth)]);
    for (int64_t begin = 0; begin < rows; begin += block_rows) {
      const int64_t end = std::min(rows, begin + block_rows);
      Im2Col3D(ctx.input(0).flat<T>(), g, attrs_, begin, end, col.get());
      MatMul(col.get(), filter.flat<T>(), out->flat<T>() + begin * oc, end - begin, depth, oc);
    }
    return Status::Ok();
  }

  const Window3DAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateConv3DKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(Window3DAttrs attrs, Window3DAttrs::Parse(c, /*pool=*/false));
  return std::unique_ptr<OpKernel>(new Conv3DKernel(attrs));
}

}  // namespace tern
