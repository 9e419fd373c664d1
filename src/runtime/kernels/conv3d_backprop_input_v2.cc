// Conv3DBackpropInputV2: the gradient of Conv3D with respect to its input, which is what Keras'
// Conv3DTranspose runs. input_sizes (int32 or int64 [N,D,H,W,C]) is the shape of the Conv3D
// input; filter is [KD,KH,KW,C,OC]; out_backprop [N,OD,OH,OW,OC] must be the output shape Conv3D
// would give for input_sizes with the node's strides, dilations and padding (SAME/VALID, NDHWC),
// which also fix where each tap lands. Each out_backprop row times the filter (viewed as
// [KD*KH*KW*C, OC], transposed) gives one patch, added into the input it was taken from
// (col2im), a cache-sized block of rows at a time. float, double.
#include <Eigen/Core>

#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/gemm.h"
#include "runtime/kernels/internal/window3d.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

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

// Adds patch rows [row_begin, row_end) of `col` (one per out_backprop position, laid out
// [KD, KH, KW, C]) into the input gradient `out`.
template <typename T>
void Col2Im3D(const T* col, const Window3DGeometry& g, const Window3DAttrs& a, int64_t row_begin,
              int64_t row_end, T* out) {
  const int64_t c = g.channels;
  const int64_t row_len = g.k[0] * g.k[1] * g.k[2] * c;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const int64_t ow = r % g.out[2];
    const int64_t oh = (r / g.out[2]) % g.out[1];
    const int64_t od = (r / (g.out[2] * g.out[1])) % g.out[0];
    const int64_t n = r / (g.out[2] * g.out[1] * g.out[0]);
    T* volume = out + n * g.in[0] * g.in[1] * g.in[2] * c;
    const T* tap = col + (r - row_begin) * row_len;
    for (int64_t kd = 0; kd < g.k[0]; ++kd) {
      const int64_t id = od * a.strides[0] - g.pad[0] + kd * a.dilations[0];
      for (int64_t kh = 0; kh < g.k[1]; ++kh) {
        const int64_t ih = oh * a.strides[1] - g.pad[1] + kh * a.dilations[1];
        for (int64_t kw = 0; kw < g.k[2]; ++kw, tap += c) {
          const int64_t iw = ow * a.strides[2] - g.pad[2] + kw * a.dilations[2];
          if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 || iw >= g.in[2]) {
            continue;
          }
          T* dst = volume + ((id * g.in[1] + ih) * g.in[2] + iw) * c;
          for (int64_t ch = 0; ch < c; ++ch) dst[ch] += tap[ch];
        }
      }
    }
  }
}

std::string Dims(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

class Conv3DBackpropInputV2Kernel final : public OpKernel {
 public:
  explicit Conv3DBackpropInputV2Kernel(Window3DAttrs attrs) : attrs_(attrs) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& filter = ctx.input(1);
    const Tensor& grad = ctx.input(2);
    if (filter.rank() != 5) {
      return ctx.Error("filter must be 5-D [KD,KH,KW,C,OC], got shape " +
                       filter.shape().DebugString());
    }
    if (grad.rank() != 5) {
      return ctx.Error("out_backprop must be 5-D [N,OD,OH,OW,OC], got shape " +
                       grad.shape().DebugString());
    }
    if (filter.dtype() != grad.dtype()) {
      return ctx.Error("filter and out_backprop have different dtypes: " +
                       DataTypeName(filter.dtype()) + " and " + DataTypeName(grad.dtype()));
    }
    std::vector<int64_t> sizes;
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(0), "input_sizes", &sizes));
    if (sizes.size() != 5) {
      return ctx.Error("input_sizes must be a 5-element [N,D,H,W,C] vector, got " +
                       std::to_string(sizes.size()) + " elements");
    }
    for (int64_t s : sizes) {
      if (s < 0) return ctx.Error("input_sizes has a negative dimension: " + std::to_string(s));
    }
    if (sizes[0] != grad.dim(0)) {
      return ctx.Error("input and out_backprop must have the same batch size, got " +
                       std::to_string(sizes[0]) + " and " + std::to_string(grad.dim(0)));
    }
    if (sizes[4] != filter.dim(3)) {
      return ctx.Error("input depth must equal the filter's in_depth: " + std::to_string(sizes[4]) +
                       " vs " + std::to_string(filter.dim(3)));
    }
    if (grad.dim(4) != filter.dim(4)) {
      return ctx.Error("filter and out_backprop must have the same out_depth: " +
                       std::to_string(filter.dim(4)) + " vs " + std::to_string(grad.dim(4)));
    }
    const TensorShape input_shape(sizes);
    TERN_ASSIGN_OR_RETURN(
        Window3DGeometry g,
        ComputeWindow3D(ctx, attrs_, input_shape, {filter.dim(0), filter.dim(1), filter.dim(2)}));
    for (int i = 0; i < 3; ++i) {
      if (g.out[i] != grad.dim(i + 1)) {
        return ctx.Error("out_backprop " + grad.shape().DebugString() +
                         " does not match the Conv3D output for input " + Dims(sizes) +
                         " and filter " + filter.shape().DebugString() + ": [" +
                         std::to_string(g.batch) + "," + std::to_string(g.out[0]) + "," +
                         std::to_string(g.out[1]) + "," + std::to_string(g.out[2]) + "," +
                         std::to_string(filter.dim(4)) + "]");
      }
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
  Status Run(KernelContext& ctx, const Window3DGeometry& g, const TensorShape& input_shape) const {
    const Tensor& filter = ctx.input(1);
    const Tensor& grad = ctx.input(2);
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, grad.dtype(), input_shape));
    const int64_t rows = g.out_positions();
    const int64_t oc = filter.dim(4);
    const int64_t depth = g.k[0] * g.k[1] * g.k[2] * g.channels;
    // Nothing flows back through an empty window or channel set: the zero-filled output stands.
    if (rows == 0 || depth == 0 || oc == 0 || out->num_elements() == 0) return Status::Ok();
    const int64_t block_rows =
        std::clamp<int64_t>(kColBlockBytes / static_cast<int64_t>(depth * sizeof(T)), 1, rows);
    std::unique_ptr<T[]> col(new T[static_cast<size_t>(block_rows * depth)]);
    for (int64_t begin = 0; begin < rows; begin += block_rows) {
      const int64_t end = std::min(rows, begin + block_rows);
      PatchGradients(grad.flat<T>() + begin * oc, filter.flat<T>(), col.get(), end - begin, oc,
                     depth);
      Col2Im3D(col.get(), g, attrs_, begin, end, out->flat<T>());
    }
    return Status::Ok();
  }

  const Window3DAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateConv3DBackpropInputV2Kernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(Window3DAttrs attrs, Window3DAttrs::Parse(c, /*pool=*/false));
  return std::unique_ptr<OpKernel>(new Conv3DBackpropInputV2Kernel(attrs));
}

}  // namespace tern
