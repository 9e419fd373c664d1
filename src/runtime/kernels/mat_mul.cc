// MatMul: product = op(a) * op(b) for 2-D a and b, op transposing when transpose_a/transpose_b
// is set (both default false). Computed by Eigen's blocked GEMM on row-major maps of the buffers;
// float goes through Gemm (internal/gemm.h): this CPU's build of Eigen, or for few rows the kernel
// that reads b in place. Types: float, double, int32, int64.
#include <Eigen/Core>

#include <type_traits>

#include "runtime/kernels/internal/batch_mat_mul.h"
#include "runtime/kernels/internal/gemm.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class MatMulKernel final : public OpKernel {
 public:
  MatMulKernel(bool transpose_a, bool transpose_b)
      : transpose_a_(transpose_a), transpose_b_(transpose_b) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != b.dtype()) {
      return ctx.Error("a and b have different dtypes: " + DataTypeName(a.dtype()) + " and " +
                       DataTypeName(b.dtype()));
    }
    if (a.rank() != 2 || b.rank() != 2) {
      return ctx.Error("a and b must be 2-D, got shapes " + a.shape().DebugString() + " and " +
                       b.shape().DebugString());
    }
    switch (a.dtype()) {
      case tensorflow::DT_FLOAT: return Run<float>(ctx);
      case tensorflow::DT_DOUBLE: return Run<double>(ctx);
      case tensorflow::DT_INT32: return Run<int32_t>(ctx);
      case tensorflow::DT_INT64: return Run<int64_t>(ctx);
      default:
        return ctx.Error("dtype " + DataTypeName(a.dtype()) +
                         " is not supported (float, double, int32, int64)");
    }
  }

 private:
  template <typename T>
  Status Run(KernelContext& ctx) const {
    using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    TERN_ASSIGN_OR_RETURN(const MatMulDims dims,
                          MatrixProductDims(ctx, {&a, &b, transpose_a_, transpose_b_}));
    const int64_t m = dims.m, k = dims.k, n = dims.n;
    // Every element is written, except for k == 0, where the product is all zeros.
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, a.dtype(), TensorShape{m, n},
                                                           k > 0 ? Tensor::Contents::kUnset
                                                                 : Tensor::Contents::kZeros));
    if (m == 0 || n == 0 || k == 0) return Status::Ok();
    if constexpr (std::is_same_v<T, float>) {
      Gemm({.a = a.flat<float>(),
            .b = b.flat<float>(),
            .c = out->flat<float>(),
            .m = m,
            .k = k,
            .n = n,
            .transpose_a = transpose_a_,
            .transpose_b = transpose_b_});
      return Status::Ok();
    }
    Eigen::Map<const Matrix> ma(a.flat<T>(), a.dim(0), a.dim(1));
    Eigen::Map<const Matrix> mb(b.flat<T>(), b.dim(0), b.dim(1));
    Eigen::Map<Matrix> mc(out->flat<T>(), m, n);
    if (!transpose_a_ && !transpose_b_) {
      mc.noalias() = ma * mb;
    } else if (transpose_a_ && !transpose_b_) {
      mc.noalias() = ma.transpose() * mb;
    } else if (!transpose_a_ && transpose_b_) {
      mc.noalias() = ma * mb.transpose();
    } else {
      mc.noalias() = ma.transpose() * mb.transpose();
    }
    return Status::Ok();
  }

  const bool transpose_a_;
  const bool transpose_b_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateMatMulKernel(const KernelConstruction& c) {
  // Both default to false; exports strip attrs equal to their default.
  return std::unique_ptr<OpKernel>(new MatMulKernel(c.GetBoolAttrOr("transpose_a", false),
                                                    c.GetBoolAttrOr("transpose_b", false)));
}

}  // namespace tern
