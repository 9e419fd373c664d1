#include "runtime/kernels/internal/gemm.h"

#include <algorithm>
#include <atomic>

#include "runtime/flush_denormals.h"
#include "runtime/intra_op.h"

namespace tern {
namespace {

// Where the no-packing kernel beat Eigen, from loadtest/gemm/small_gemm.py (README, "GEMM"): for
// a B of at most kNarrowCols columns (the convolutions here: 8 or 16 output channels) at every M
// measured (1..1024), since Eigen's packed tiles waste most of their lanes there; for a wider B
// at 2..small_max_rows rows. One row of a wide B stays with Eigen's GEMV, which streams B in
// order and was faster.
constexpr int64_t kNarrowCols = 16;

struct Choice {
  void (*eigen)(const GemmArgs&);
  void (*small)(const GemmArgs&);  // nullptr where the CPU has no AVX2+FMA
  int64_t small_max_rows;          // for a wide B
  const char* name;
};

Choice Choose() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) {
    return {&GemmAvx512, &GemmSmallAvx512, 64, "avx512"};
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {&GemmAvx2Fma, &GemmSmallAvx2Fma, 32, "avx2_fma"};
  }
#endif
  return {&GemmBaseline, nullptr, 0, "baseline"};
}

const Choice& TheChoice() {
  static const Choice choice = Choose();
  return choice;
}

std::atomic<GemmPath> the_path{GemmPath::kAuto};

bool SmallIsFaster(const GemmArgs& g, const Choice& choice) {
  return g.n <= kNarrowCols || (g.m >= 2 && g.m <= choice.small_max_rows);
}

}  // namespace

void SetGemmPath(GemmPath path) { the_path.store(path, std::memory_order_relaxed); }

bool GemmTakesSmallPath(const GemmArgs& args) {
  return TheChoice().small != nullptr && !args.transpose_b &&
         the_path.load(std::memory_order_relaxed) == GemmPath::kAuto &&
         SmallIsFaster(args, TheChoice());
}

namespace {

void GemmOnThisThread(const GemmArgs& args) {
  if (GemmTakesSmallPath(args)) {
    TheChoice().small(args);
  } else {
    TheChoice().eigen(args);
  }
}

// Part `part` of `parts` of the product: a band of C's rows, or of its columns when C has fewer
// rows than a band needs. The bands start at multiples of 16 columns (one AVX-512 vector) so
// every thread's tiles stay aligned as the whole product's would.
GemmArgs Part(const GemmArgs& g, int part, int parts, bool by_rows) {
  GemmArgs p = g;
  p.lda = g.lda ? g.lda : (g.transpose_a ? g.m : g.k);
  p.ldb = g.ldb ? g.ldb : (g.transpose_b ? g.k : g.n);
  p.ldc = g.ldc ? g.ldc : g.n;
  const int64_t total = by_rows ? g.m : g.n;
  const int64_t unit = by_rows ? 1 : 16;
  const int64_t units = (total + unit - 1) / unit;
  const int64_t begin = std::min(total, units * part / parts * unit);
  const int64_t end = std::min(total, units * (part + 1) / parts * unit);
  if (by_rows) {
    p.m = end - begin;
    p.a = g.a + (g.transpose_a ? begin : begin * p.lda);
    p.c = g.c + begin * p.ldc;
  } else {
    p.n = end - begin;
    p.b = g.b + (g.transpose_b ? begin * p.ldb : begin);
    p.c = g.c + begin;
  }
  return p;
}

}  // namespace

void Gemm(const GemmArgs& args) {
  // Below ~4 MFLOP a parallel region costs about what it saves.
  const double flops =
      2.0 * static_cast<double>(args.m) * static_cast<double>(args.n) * static_cast<double>(args.k);
  if (flops < 4e6) return GemmOnThisThread(args);
  const IntraOpThreads::OpScope cores;
  const int threads = cores.threads();
  if (threads == 1) return GemmOnThisThread(args);
  const bool by_rows = args.m >= 8 * threads;
  if (!by_rows && args.n < 32 * threads) return GemmOnThisThread(args);
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int part = 0; part < threads; ++part) {
    const FlushDenormals as_the_calling_thread;
    const GemmArgs p = Part(args, part, threads, by_rows);
    if (p.m > 0 && p.n > 0) GemmOnThisThread(p);
  }
}

std::string GemmIsa() { return TheChoice().name; }

}  // namespace tern
