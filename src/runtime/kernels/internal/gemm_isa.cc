// One Eigen GEMM build; CMake compiles this file once per ISA with TERN_GEMM_FN naming the entry
// point and `Eigen` renamed (-DEigen=EigenAvx2...), so each build keeps its own template
// instantiations: the linker would otherwise merge them and one ISA's code would serve all.
#include <Eigen/Core>

#include "runtime/kernels/internal/gemm.h"

namespace tern {

void TERN_GEMM_FN(const GemmArgs& g) {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Stride = Eigen::OuterStride<>;
  const int64_t a_rows = g.transpose_a ? g.k : g.m, a_cols = g.transpose_a ? g.m : g.k;
  const int64_t b_rows = g.transpose_b ? g.n : g.k, b_cols = g.transpose_b ? g.k : g.n;
  Eigen::Map<const Matrix, 0, Stride> a(g.a, a_rows, a_cols, Stride(g.lda ? g.lda : a_cols));
  Eigen::Map<const Matrix, 0, Stride> b(g.b, b_rows, b_cols, Stride(g.ldb ? g.ldb : b_cols));
  Eigen::Map<Matrix, 0, Stride> c(g.c, g.m, g.n, Stride(g.ldc ? g.ldc : g.n));
  if (!g.transpose_a && !g.transpose_b) {
    c.noalias() = a * b;
  } else if (g.transpose_a && !g.transpose_b) {
    c.noalias() = a.transpose() * b;
  } else if (!g.transpose_a && g.transpose_b) {
    c.noalias() = a * b.transpose();
  } else {
    c.noalias() = a.transpose() * b.transpose();
  }
}

}  // namespace tern
