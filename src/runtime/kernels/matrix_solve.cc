// MatrixSolve: X with matrix * X = rhs (or adjoint(matrix) * X = rhs) for every matrix of a batch:
// matrix [..., M, M], rhs [..., M, K] with the same batch dimensions. Solved, as TensorFlow does,
// by Eigen's LU decomposition with partial pivoting; a zero pivot is "not invertible" (an
// InvalidArgument, as TensorFlow). float or double (adjoint is the transpose). Keras 3's
// RandomPerspective solves for its projective transform with it.
#include <Eigen/Dense>

#include <string>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class MatrixSolveKernel final : public OpKernel {
 public:
  explicit MatrixSolveKernel(bool adjoint) : adjoint_(adjoint) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& matrix = ctx.input(0);
    const Tensor& rhs = ctx.input(1);
    if (matrix.dtype() != rhs.dtype()) {
      return ctx.Error("matrix and rhs have different dtypes: " + DataTypeName(matrix.dtype()) +
                       " and " + DataTypeName(rhs.dtype()));
    }
    const int rank = matrix.rank();
    bool ok = rank >= 2 && rhs.rank() == rank && matrix.dim(rank - 1) == matrix.dim(rank - 2) &&
              rhs.dim(rank - 2) == matrix.dim(rank - 2);
    for (int d = 0; ok && d + 2 < rank; ++d) ok = matrix.dim(d) == rhs.dim(d);
    if (!ok) {
      return ctx.Error(
          "matrix must be [..., M, M] and rhs [..., M, K] with the same batch "
          "dimensions, got " +
          matrix.shape().DebugString() + " and " + rhs.shape().DebugString());
    }
    switch (matrix.dtype()) {
      case tensorflow::DT_FLOAT: return Solve<float>(ctx);
      case tensorflow::DT_DOUBLE: return Solve<double>(ctx);
      default:
        return ctx.Error("dtype " + DataTypeName(matrix.dtype()) +
                         " is not supported (float, double)");
    }
  }

 private:
  template <typename T>
  Status Solve(KernelContext& ctx) const {
    using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Tensor& matrix = ctx.input(0);
    const Tensor& rhs = ctx.input(1);
    const int rank = matrix.rank();
    const int64_t m = matrix.dim(rank - 1), k = rhs.dim(rank - 1);
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, rhs.dtype(), rhs.shape()));
    if (m == 0 || k == 0) return Status::Ok();
    const int64_t batches = matrix.num_elements() / (m * m);
    for (int64_t b = 0; b < batches; ++b) {
      Eigen::Map<const Matrix> a(matrix.flat<T>() + b * m * m, m, m);
      Eigen::Map<const Matrix> y(rhs.flat<T>() + b * m * k, m, k);
      Eigen::Map<Matrix> x(out->flat<T>() + b * m * k, m, k);
      Eigen::PartialPivLU<Matrix> lu(m);
      if (adjoint_) {
        lu.compute(a.adjoint());
      } else {
        lu.compute(a);
      }
      if (!(lu.matrixLU().diagonal().cwiseAbs().minCoeff() > T(0))) {
        return ctx.Error("Input matrix is not invertible.");
      }
      x.noalias() = lu.solve(y);
    }
    return Status::Ok();
  }

  const bool adjoint_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateMatrixSolveKernel(const KernelConstruction& c) {
  return std::unique_ptr<OpKernel>(new MatrixSolveKernel(c.GetBoolAttrOr("adjoint", false)));
}

}  // namespace tern
