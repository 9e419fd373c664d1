// Fast single-precision GEMM for MatMul, BatchMatMul, Einsum and the own convolutions:
// C[m,n] = op(A) * op(B), row-major, with op transposing when asked. Three implementations, picked
// per shape from measurements (loadtest/gemm/matmul_bench):
//  - oneDNN's sgemm (Debian's libdnnl, the library the convolutions run on; its kernels are
//    JIT-compiled for the CPU at hand), for most shapes: 1.1-1.9x Eigen's AVX-512 build on the
//    BERT encoder's and MobileNetV2's products;
//  - a kernel that reads B in place (gemm_small_isa.cc, AVX2+FMA and AVX-512) for a few rows or a
//    narrow B, where packing B costs as much as the multiply;
//  - Eigen's GEMM compiled three times (baseline x86-64, AVX2+FMA, AVX-512), the widest the CPU
//    supports, for one row (a GEMV) and on CPUs without AVX2.
// So the binary runs on any x86-64. Thread-safe; the only state is the process-wide GemmPath.
#pragma once

#include <cstdint>
#include <string>

namespace tern {

struct GemmArgs {
  const float* a = nullptr;  // [m,k], or [k,m] when transpose_a
  const float* b = nullptr;  // [k,n], or [n,k] when transpose_b
  float* c = nullptr;        // [m,n], overwritten
  int64_t m = 0, k = 0, n = 0;
  bool transpose_a = false;
  bool transpose_b = false;
  // Row strides in floats of A, B and C as stored (transposed or not); 0: dense. Gemm sets them
  // when it splits a product among threads.
  int64_t lda = 0, ldb = 0, ldc = 0;
};

// Runs a large product on the cores IntraOpThreads lends it: oneDNN's sgemm splits its own work;
// the others are split here (by rows of C; when C has too few rows, by depth for a row-major B,
// each core reading one contiguous band of it, else by columns).
void Gemm(const GemmArgs& args);

// "avx512", "avx2_fma" or "baseline": the build Gemm uses on this CPU (for logs and benchmarks).
std::string GemmIsa();

// Which implementations Gemm may use, for benchmarks that compare them in one process: kAuto
// picks among all three (GemmImplFor); kNoOneDnn among Eigen and the no-packing kernel (what
// TERN_ONEDNN=0 in the environment also gives); kEigenOnly uses Eigen alone.
enum class GemmPath { kAuto, kNoOneDnn, kEigenOnly };
void SetGemmPath(GemmPath path);  // process-wide, atomic; default kAuto

enum class GemmImpl { kEigen, kSmall, kOneDnn };
// What Gemm(args) runs on this CPU under the current GemmPath.
GemmImpl GemmImplFor(const GemmArgs& args);

// Each ISA's entry point (defined by gemm_isa.cc, compiled once per ISA).
void GemmBaseline(const GemmArgs& args);
void GemmAvx2Fma(const GemmArgs& args);
void GemmAvx512(const GemmArgs& args);

// oneDNN's sgemm on the calling thread's OpenMP thread count; false if oneDNN refused the call.
bool GemmOneDnn(const GemmArgs& args);

// The no-packing kernel (gemm_small_isa.cc), x86-64 only: any shape, transpose_a either way,
// transpose_b must be false (B is read row by row in place).
void GemmSmallAvx2Fma(const GemmArgs& args);
void GemmSmallAvx512(const GemmArgs& args);

// The activation the packed kernel applies as it stores c (the fused products' ReLU and ReLU6;
// the others run in a pass of their own).
enum class StoreActivation { kNone, kRelu, kRelu6 };

// gemm_packed.h's kernel, per ISA (gemm_small_isa.cc): c's columns [0, n) from `panels` (panel_cols
// wide, panels of k rows back to back), rows [0, m); lda and ldc are row strides in floats.
// With `segments`, a's k depths meet only those depths of the panels: (first, count) pairs,
// summing to k, of panels panel_depth rows deep.
// Each tile of c is finished as it is stored, its sums final (a tile runs the whole depth): plus
// bias[j] for column j, then plus the residual (laid out as c, ldc apart), then the activation.
struct PackedGemmArgs {
  const float* a = nullptr;
  int64_t lda = 0;
  int64_t m = 0, k = 0, n = 0;
  const float* panels = nullptr;
  float* c = nullptr;
  int64_t ldc = 0;
  const int64_t* segments = nullptr;
  int64_t segment_count = 0;
  int64_t panel_depth = 0;
  const float* bias = nullptr;
  const float* residual = nullptr;
  StoreActivation activation = StoreActivation::kNone;
};
void GemmPackedAvx2Fma(const PackedGemmArgs& args);
void GemmPackedAvx512(const PackedGemmArgs& args);

}  // namespace tern
