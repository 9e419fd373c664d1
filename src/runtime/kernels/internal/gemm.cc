#include "runtime/kernels/internal/gemm.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "runtime/flush_denormals.h"
#include "runtime/intra_op.h"
#include "runtime/kernels/internal/omp_threads.h"
#include "runtime/kernels/internal/onednn_conv.h"

namespace tern {
namespace {

// Where each implementation measured fastest (loadtest/gemm/matmul_bench, rows/ family, AVX-512;
// docs/benchmarks.md "GEMM on oneDNN's sgemm"): the no-packing kernel for a B of at most
// kNarrowCols columns (the own convolutions: 8 or 16 output channels) at any M, since packed tiles
// waste most of their lanes there; for a wider B, at 2..kSmallRows rows while B is at most
// kFewRowsBBytes, and up to small_max_rows while B fits in L2 with room to spare
// (kSmallBBytes); oneDNN's sgemm for the rest (1.1-1.9x Eigen from 16 rows up, ahead of the
// kernel on a 5 MB B from 8 rows, and for a transposed B); Eigen's GEMV for one row of a wide B,
// which streams B in order and was as fast as either.
constexpr int64_t kNarrowCols = 16;
constexpr int64_t kSmallRows = 8;
constexpr int64_t kFewRowsBBytes = 1 << 20;
constexpr int64_t kSmallBBytes = 256 << 10;
// From this size of B a product is split among idle cores whatever its FLOPs (Gemm).
constexpr double kParallelGemmMinBBytes = 256 << 10;
// A product of few rows is split by depth from this many rows of b per core (GemmSplitDepth).
constexpr int64_t kSplitDepthMinK = 64;
// With AVX2 only, oneDNN's sgemm also runs products of 32-255 rows this deep or less: BERT's
// per-head attention products (128 x 64 x 128 with a transposed b, 128 x 128 x 64) took
// 0.78-0.90x of Eigen's time per node (node_times_ab.py bert_encoder 8, one thread), where
// Eigen had been ahead on deeper ones (the MLP's 64 x 512 x 512).
constexpr int64_t kShortDepth = 128;

struct Choice {
  void (*eigen)(const GemmArgs&);
  void (*small)(const GemmArgs&);  // nullptr where the CPU has no AVX2+FMA
  int64_t small_max_rows;          // for a wide B
  // oneDNN's sgemm from this many rows (0: never). With AVX-512 it beat Eigen from 16 rows up;
  // on an AVX2 AMD EPYC Eigen was ahead at 64 rows (the MLP's 64 x 512 x 512: 0.78x per run),
  // oneDNN from a BERT layer's 1024 (Eigen there: 1.04x per run).
  int64_t onednn_min_rows;
  // Below onednn_min_rows, oneDNN's sgemm still from this many rows of a short depth (at most
  // kShortDepth); 0: never.
  int64_t onednn_short_depth_min_rows;
  const char* name;
};

Choice Choose() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) {
    return {&GemmAvx512, &GemmSmallAvx512, 64, OneDnnEnabled() ? 2 : 0, 0, "avx512"};
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {
        &GemmAvx2Fma, &GemmSmallAvx2Fma, 32, OneDnnEnabled() ? 256 : 0, OneDnnEnabled() ? 32 : 0,
        "avx2_fma"};
  }
#endif
  return {&GemmBaseline, nullptr, 0, 0, 0, "baseline"};
}

const Choice& TheChoice() {
  static const Choice choice = Choose();
  return choice;
}

std::atomic<GemmPath> the_path{GemmPath::kAuto};

bool SmallIsFaster(const GemmArgs& g, const Choice& choice, bool onednn) {
  if (g.n <= kNarrowCols) return true;
  if (g.m < 2 || g.m > choice.small_max_rows) return false;
  // Without oneDNN the kernel beat Eigen over its whole range of rows.
  if (!onednn || g.m < choice.onednn_min_rows) return true;
  const int64_t b_bytes = g.k * g.n * static_cast<int64_t>(sizeof(float));
  return b_bytes <= (g.m <= kSmallRows ? kFewRowsBBytes : kSmallBBytes);
}

}  // namespace

void SetGemmPath(GemmPath path) { the_path.store(path, std::memory_order_relaxed); }

GemmImpl GemmImplFor(const GemmArgs& args) {
  const Choice& choice = TheChoice();
  const GemmPath path = the_path.load(std::memory_order_relaxed);
  if (path == GemmPath::kEigenOnly) return GemmImpl::kEigen;
  const bool onednn = choice.onednn_min_rows > 0 && path == GemmPath::kAuto;
  if (choice.small != nullptr && !args.transpose_b && SmallIsFaster(args, choice, onednn)) {
    return GemmImpl::kSmall;
  }
  if (!onednn) return GemmImpl::kEigen;
  const bool short_depth = choice.onednn_short_depth_min_rows > 0 &&
                           args.m >= choice.onednn_short_depth_min_rows && args.k <= kShortDepth;
  return args.m >= choice.onednn_min_rows || short_depth ? GemmImpl::kOneDnn : GemmImpl::kEigen;
}

bool GemmOneDnn(const GemmArgs& g) {
  const dnnl_status_t status =
      dnnl_sgemm(g.transpose_a ? 'T' : 'N', g.transpose_b ? 'T' : 'N', g.m, g.n, g.k, 1.0f, g.a,
                 g.lda ? g.lda : (g.transpose_a ? g.m : g.k), g.b,
                 g.ldb ? g.ldb : (g.transpose_b ? g.k : g.n), 0.0f, g.c, g.ldc ? g.ldc : g.n);
  return status == dnnl_success;
}

namespace {

void GemmOnThisThread(const GemmArgs& args) {
  switch (GemmImplFor(args)) {
    case GemmImpl::kSmall: return TheChoice().small(args);
    case GemmImpl::kOneDnn:
      UseOmpThreads(1);
      if (GemmOneDnn(args)) return;
      break;
    case GemmImpl::kEigen: break;
  }
  TheChoice().eigen(args);
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

// Part `part` of `parts` of the depth k: a contiguous band of b's rows and the matching columns
// of a, multiplied into c (row stride ldc).
GemmArgs DepthPart(const GemmArgs& g, int part, int parts, float* c, int64_t ldc) {
  GemmArgs p = g;
  p.lda = g.lda ? g.lda : (g.transpose_a ? g.m : g.k);
  p.ldb = g.ldb ? g.ldb : g.n;
  const int64_t begin = g.k * part / parts, end = g.k * (part + 1) / parts;
  p.k = end - begin;
  p.a = g.a + (g.transpose_a ? begin * p.lda : begin);
  p.b = g.b + begin * p.ldb;
  p.c = c;
  p.ldc = ldc;
  return p;
}

// A product of few rows with a row-major b, split among `threads` cores by depth: each core
// reads one contiguous band of b and the partial products are summed. Split by columns instead,
// each core would read the same share of every row of b; with rows a power of two long (512
// floats: 2 KiB) that share maps onto a fixed half of the cache sets, so a b that would fit in
// the two cores' L2s (the MLP's 1.3 MB per core at batch 1) is streamed from L3 run after run.
void GemmSplitDepth(const GemmArgs& args, int threads) {
  const int64_t mn = args.m * args.n;
  thread_local std::vector<float> partials;  // the calling thread's, for parts 1..threads-1
  if (partials.size() < static_cast<size_t>(mn * (threads - 1))) {
    partials.resize(static_cast<size_t>(mn * (threads - 1)));
  }
  float* const scratch = partials.data();
  const int64_t ldc = args.ldc ? args.ldc : args.n;
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int part = 0; part < threads; ++part) {
    const FlushDenormals as_the_calling_thread;
    // Part 0 writes C; the others their partial products, summed into C after.
    GemmOnThisThread(part == 0 ? DepthPart(args, 0, threads, args.c, ldc)
                               : DepthPart(args, part, threads, scratch + (part - 1) * mn, args.n));
  }
  const FlushDenormals as_the_parts;
  for (int part = 1; part < threads; ++part) {
    const float* partial = scratch + (part - 1) * mn;
    for (int64_t i = 0; i < args.m; ++i) {
      float* row = args.c + i * ldc;
      const float* add = partial + i * args.n;
      for (int64_t j = 0; j < args.n; ++j) row[j] += add[j];
    }
  }
}

}  // namespace

void Gemm(const GemmArgs& args) {
  // Below ~4 MFLOP a parallel region costs about what it saves, unless b is large: a product of
  // few rows streams b from memory, and split by columns each core streams (and, run after run,
  // keeps in its own cache) only its part.
  const double flops =
      2.0 * static_cast<double>(args.m) * static_cast<double>(args.n) * static_cast<double>(args.k);
  const double b_bytes = static_cast<double>(args.k) * static_cast<double>(args.n) *
                         static_cast<double>(sizeof(float));
  if (flops < 4e6 && b_bytes < kParallelGemmMinBBytes) return GemmOnThisThread(args);
  const IntraOpThreads::OpScope cores;
  const int threads = cores.threads();
  if (threads == 1) return GemmOnThisThread(args);
  if (GemmImplFor(args) == GemmImpl::kOneDnn) {
    UseOmpThreads(threads);
    if (GemmOneDnn(args)) return;
  }
  const bool by_rows = args.m >= 8 * threads;
  if (!by_rows && !args.transpose_b && args.k >= kSplitDepthMinK * threads) {
    return GemmSplitDepth(args, threads);
  }
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
