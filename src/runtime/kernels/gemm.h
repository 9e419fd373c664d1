// Fast single-precision GEMM for MatMul and Conv2D: C[m,n] = op(A) * op(B), row-major, with op
// transposing when asked. Eigen's GEMM is compiled three times (baseline x86-64, AVX2+FMA,
// AVX-512) and the best one the CPU supports is picked once at first use, so the binary still
// runs on older x86-64 while using the wide units here (loadtest/gemm/gemm_bench: 3-6x over the
// baseline build). Stateless and thread-safe.
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
};

void Gemm(const GemmArgs& args);

// "avx512", "avx2_fma" or "baseline": the build Gemm uses on this CPU (for logs and benchmarks).
std::string GemmIsa();

// Each ISA's entry point (defined by gemm_isa.cc, compiled once per ISA).
void GemmBaseline(const GemmArgs& args);
void GemmAvx2Fma(const GemmArgs& args);
void GemmAvx512(const GemmArgs& args);

}  // namespace tern
