// One Eigen GEMM build; CMake compiles this file once per ISA with TERN_GEMM_FN naming the entry
// point and `Eigen` renamed (-DEigen=EigenAvx2...), so each build keeps its own template
// instantiations: the linker would otherwise merge them and one ISA's code would serve all.
#include <Eigen/Core>

#include "runtime/kernels/internal/gemm.h"

namespace tern {

void TERN_GEMM_FN(const GemmArgs& g) {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const Matrix> a(g.a, g.transpose_a ? g.k : g.m, g.transpose_a ? g.m : g.k);
  Eigen::Map<const Matrix> b(g.b, g.transpose_b ? g.n : g.k, g.transpose_b ? g.k : g.n);
  Eigen::Map<Matrix> c(g.c, g.m, g.n);
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
