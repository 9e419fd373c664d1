// GFLOP/s of single-threaded sgemm C[MxN] = A[MxK] * B[KxN] (row-major), the shape of a dense
// layer over a batch of M rows: the runtime's Gemm builds (Eigen for baseline x86-64 = SSE2, for
// AVX2+FMA, for AVX-512) and OpenBLAS on 1 thread. OpenBLAS 0.3.21 takes this VM's CPU for a
// Prescott (SSE3) unless OPENBLAS_CORETYPE=SkylakeX is set; run it both ways.
//   build/loadtest/gemm/gemm_bench --benchmark_format=json
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cstdint>
#include <random>
#include <vector>

#include "runtime/kernels/gemm.h"

namespace {

template <void (*kGemm)(const tern::GemmArgs&)>
void GemmTern(const float* a, const float* b, float* c, int64_t m, int64_t k, int64_t n) {
  kGemm({.a = a, .b = b, .c = c, .m = m, .k = k, .n = n});
}

void GemmOpenBlas(const float* a, const float* b, float* c, int64_t m, int64_t k, int64_t n) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0f, a, static_cast<int>(k), b, static_cast<int>(n), 0.0f, c,
              static_cast<int>(n));
}

using GemmFn = void (*)(const float*, const float*, float*, int64_t, int64_t, int64_t);

void Run(benchmark::State& state, GemmFn fn) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(m * k), b(k * n), c(m * n);
  for (float& x : a) x = dist(rng);
  for (float& x : b) x = dist(rng);
  for (auto _ : state) {
    fn(a.data(), b.data(), c.data(), m, k, n);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(
      2.0 * m * k * n * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

void Shapes(benchmark::internal::Benchmark* b) {
  for (int64_t m : {1, 8, 32, 64, 128}) b->Args({m, 512, 512});
}

BENCHMARK_CAPTURE(Run, eigen_baseline, &GemmTern<tern::GemmBaseline>)->Apply(Shapes);
BENCHMARK_CAPTURE(Run, eigen_avx2_fma, &GemmTern<tern::GemmAvx2Fma>)->Apply(Shapes);
BENCHMARK_CAPTURE(Run, eigen_avx512, &GemmTern<tern::GemmAvx512>)->Apply(Shapes);
BENCHMARK_CAPTURE(Run, openblas_1thread, &GemmOpenBlas)->Apply(Shapes);

}  // namespace

int main(int argc, char** argv) {
  openblas_set_num_threads(1);  // compare one core with one core; Tern owns the threads
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
