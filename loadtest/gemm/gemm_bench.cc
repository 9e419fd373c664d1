// GFLOP/s of single-threaded sgemm C[MxN] = A[MxK] * B[KxN] (row-major), the shape of a dense
// layer over a batch of M rows: the runtime's Gemm builds (Eigen for baseline x86-64 = SSE2, for
// AVX2+FMA, for AVX-512) and OpenBLAS on 1 thread. OpenBLAS 0.3.21 takes this VM's CPU for a
// Prescott (SSE3) unless OPENBLAS_CORETYPE=SkylakeX is set; run it both ways.
//   build/loadtest/gemm/gemm_bench --benchmark_format=json
// The small_rows/ family compares Eigen with the no-packing kernel (gemm_small_isa.cc) per ISA
// on the MLP and small_resnet shapes, M = 1..128 (and the im2col block sizes for convolutions);
// loadtest/gemm/small_gemm.py runs it and writes the table and plot.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "runtime/kernels/internal/gemm.h"

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
  state.counters["GFLOPs"] =
      benchmark::Counter(2.0 * m * k * n * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

void Shapes(benchmark::internal::Benchmark* b) {
  for (int64_t m : {1, 8, 32, 64, 128}) b->Args({m, 512, 512});
}

// Which of the runtime's Gemm builds this CPU can run (the others would die of SIGILL).
struct CpuIsas {
  bool avx2_fma = false;
  bool avx512 = false;
};

CpuIsas DetectIsas() {
  __builtin_cpu_init();
  return {.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"),
          .avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")};
}

void RegisterSquare(const CpuIsas& isas) {
  benchmark::RegisterBenchmark("Run/eigen_baseline", Run, &GemmTern<tern::GemmBaseline>)
      ->Apply(Shapes);
  if (isas.avx2_fma) {
    benchmark::RegisterBenchmark("Run/eigen_avx2_fma", Run, &GemmTern<tern::GemmAvx2Fma>)
        ->Apply(Shapes);
  }
  if (isas.avx512) {
    benchmark::RegisterBenchmark("Run/eigen_avx512", Run, &GemmTern<tern::GemmAvx512>)
        ->Apply(Shapes);
  }
  benchmark::RegisterBenchmark("Run/openblas_1thread", Run, &GemmOpenBlas)->Apply(Shapes);
}

// (K, N) of tests/models/mlp (256 -> 3x512 -> 10) and of small_resnet's Conv2D layers as
// im2col GEMMs (3x3x3 -> 8, 3x3x8 -> 8, 3x3x8 -> 16, 3x3x16 -> 16, the 1x1 stride-2 shortcut
// 8 -> 16), with the rows each takes per image (32x32 or 16x16 outputs) beyond M = 128.
struct SmallShape {
  int64_t k, n;
  bool conv;
};
constexpr SmallShape kSmallShapes[] = {{256, 512, false}, {512, 512, false}, {512, 10, false},
                                       {27, 8, true},     {72, 8, true},     {72, 16, true},
                                       {144, 16, true},   {8, 16, true}};

void RegisterSmallRows(const CpuIsas& isas) {
  struct Impl {
    const char* name;
    void (*fn)(const tern::GemmArgs&);
    bool runs_here;
  };
  const Impl impls[] = {{"eigen_avx512", &tern::GemmAvx512, isas.avx512},
                        {"small_avx512", &tern::GemmSmallAvx512, isas.avx512},
                        {"eigen_avx2_fma", &tern::GemmAvx2Fma, isas.avx2_fma},
                        {"small_avx2_fma", &tern::GemmSmallAvx2Fma, isas.avx2_fma}};
  for (const SmallShape& s : kSmallShapes) {
    std::vector<int64_t> ms = {1, 2, 4, 8, 16, 32, 64, 128};
    if (s.conv) ms.insert(ms.end(), {256, 1024});
    for (int64_t m : ms) {
      // Each pair of an ISA adjacent, so Eigen and the kernel see the same machine load.
      for (const Impl& impl : impls) {
        if (!impl.runs_here) continue;
        const std::string name = std::string("small_rows/") + impl.name +
                                 "/k:" + std::to_string(s.k) + "/n:" + std::to_string(s.n) +
                                 "/m:" + std::to_string(m);
        auto fn = impl.fn;
        benchmark::RegisterBenchmark(name.c_str(), [fn, m, s](benchmark::State& state) {
          std::mt19937 rng(1);
          std::uniform_real_distribution<float> dist(-1, 1);
          std::vector<float> a(m * s.k), b(s.k * s.n), c(m * s.n);
          for (float& x : a) x = dist(rng);
          for (float& x : b) x = dist(rng);
          for (auto _ : state) {
            fn({.a = a.data(), .b = b.data(), .c = c.data(), .m = m, .k = s.k, .n = s.n});
            benchmark::DoNotOptimize(c.data());
          }
          state.counters["GFLOPs"] =
              benchmark::Counter(2.0 * static_cast<double>(m * s.k * s.n) *
                                     static_cast<double>(state.iterations()) / 1e9,
                                 benchmark::Counter::kIsRate);
        })->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  openblas_set_num_threads(1);  // compare one core with one core; Tern owns the threads
  const CpuIsas isas = DetectIsas();
  RegisterSquare(isas);
  RegisterSmallRows(isas);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
