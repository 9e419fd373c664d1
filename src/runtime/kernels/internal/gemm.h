// Fast single-precision GEMM for MatMul and Conv2D: C[m,n] = op(A) * op(B), row-major, with op
// transposing when asked. Eigen's GEMM is compiled three times (baseline x86-64, AVX2+FMA,
// AVX-512) and the best one the CPU supports is picked once at first use, so the binary still
// runs on older x86-64 while using the wide units here (loadtest/gemm/gemm_bench: 3-6x over the
// baseline build). Shapes where Eigen's packing of B costs as much as the multiply (few rows of
// A, or a narrow B) take a kernel that reads B in place instead (gemm_small_isa.cc), built for
// AVX2+FMA and AVX-512. Thread-safe; the only state is the process-wide GemmPath.
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

// Splits a large product among the cores IntraOpThreads lends it (by rows of C, or by columns
// when C has too few rows), each part on one of the ISA builds below.
void Gemm(const GemmArgs& args);

// "avx512", "avx2_fma" or "baseline": the build Gemm uses on this CPU (for logs and benchmarks).
std::string GemmIsa();

// Which implementations Gemm may use: kAuto takes the no-packing kernel where it measured faster
// (GemmTakesSmallPath), kEigenOnly never does (benchmarks compare both in one process).
enum class GemmPath { kAuto, kEigenOnly };
void SetGemmPath(GemmPath path);  // process-wide, atomic; default kAuto

// Whether Gemm(args) runs the no-packing kernel on this CPU under the current GemmPath.
bool GemmTakesSmallPath(const GemmArgs& args);

// Each ISA's entry point (defined by gemm_isa.cc, compiled once per ISA).
void GemmBaseline(const GemmArgs& args);
void GemmAvx2Fma(const GemmArgs& args);
void GemmAvx512(const GemmArgs& args);

// The no-packing kernel (gemm_small_isa.cc), x86-64 only: any shape, transpose_a either way,
// transpose_b must be false (B is read row by row in place).
void GemmSmallAvx2Fma(const GemmArgs& args);
void GemmSmallAvx512(const GemmArgs& args);

}  // namespace tern
