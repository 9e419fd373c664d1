#include "runtime/kernels/internal/gemm_packed.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/internal/weight_arena.h"

namespace tern {
namespace {

// Below ~4 MFLOP, and for a b under 256 KiB, one core runs the product (as Gemm decides), unless
// it has 4 panels or more and 0.25 MFLOP: DenseNet121 b1's 1x1 filters over a 2x2 map with
// 384-512 input channels took 0.76-0.89x on two cores. Two panels (its 32-channel 3x3 filters
// over that map) took 1.1-1.3x.
constexpr double kParallelMinFlops = 4e6;
constexpr double kSmallParallelMinFlops = 2.5e5;
constexpr int64_t kSmallParallelMinPanels = 4;
constexpr double kParallelMinBBytes = 256 << 10;
// GemmPackedInChunks: from this many chunks, and enough work to share, idle cores take chunks of
// rows; fewer rows split b's panels instead.
constexpr int64_t kRowSplitMinChunks = 4;
constexpr double kRowSplitMinFlops = 4e6;
// Fewer chunks than that, of at least 8 rows and 0.5 MFLOP in all, of a small product
// (IsSmallProduct): each core gathers and multiplies its own rows, a chunk at a time.
// DenseNet121 b1's 3x3 growth layers over a 4x4 map (16 x 1152 x 32, one chunk) took 0.80-0.86x
// on two cores; split by panels instead, where one core gathers for both, 1.4x. At batch 8 over
// a 2x2 map (32 rows, two chunks) they had stayed on one core. A larger b stays split by panels,
// each core reading only its share: split by rows, InceptionV3 b1's 3x3 maps (9 rows, 0.7 MB
// filters) made the run 3-5% slower.
constexpr int64_t kFewRowsSplitMinRows = 8;
constexpr double kFewRowsSplitMinFlops = 5e5;

// `depth`: the rows of b the product reads (all k, or the segments of a convolution's edge).
double ProductFlops(int64_t m, int64_t depth, const PackedMatrix& b) {
  return 2.0 * static_cast<double>(m) * static_cast<double>(depth) * static_cast<double>(b.n());
}

// Under the bars above, the product runs on one core unless a rule for small ones splits it.
bool IsSmallProduct(int64_t m, int64_t depth, const PackedMatrix& b) {
  const double b_bytes =
      static_cast<double>(depth) * static_cast<double>(b.n()) * static_cast<double>(sizeof(float));
  return ProductFlops(m, depth, b) < kParallelMinFlops && b_bytes < kParallelMinBBytes;
}

int64_t PanelCount(const PackedMatrix& b) { return (b.n() + b.panel_cols() - 1) / b.panel_cols(); }

// Whether GemmPacked splits b's panels among idle cores.
bool SplitsPanels(int64_t m, int64_t depth, const PackedMatrix& b) {
  const int64_t panels = PanelCount(b);
  return panels >= 2 &&
         !(IsSmallProduct(m, depth, b) && (ProductFlops(m, depth, b) < kSmallParallelMinFlops ||
                                           panels < kSmallParallelMinPanels));
}

enum class RowSplit { kNone, kWholeChunks, kRowsInChunks };

RowSplit ChooseRowSplit(int64_t m, int64_t chunk_rows, int64_t depth, const PackedMatrix& b) {
  const int64_t chunks = (m + chunk_rows - 1) / chunk_rows;
  const double flops = ProductFlops(m, depth, b);
  if (chunks >= kRowSplitMinChunks && flops >= kRowSplitMinFlops) return RowSplit::kWholeChunks;
  if (IsSmallProduct(m, depth, b) && m >= kFewRowsSplitMinRows && flops >= kFewRowsSplitMinFlops) {
    return RowSplit::kRowsInChunks;
  }
  return RowSplit::kNone;
}

struct Kernel {
  void (*run)(const PackedGemmArgs&);
  int64_t panel_cols;  // two vectors of the ISA the kernel is built for
};

// The build Gemm picked for this CPU (GemmIsa), so both agree on what the CPU runs.
Kernel Choose() {
#if defined(__x86_64__) && defined(__GNUC__)
  const std::string isa = GemmIsa();
  if (isa == "avx512") return {&GemmPackedAvx512, 32};
  if (isa == "avx2_fma") return {&GemmPackedAvx2Fma, 16};
#endif
  return {nullptr, 0};
}

const Kernel& TheKernel() {
  static const Kernel kernel = Choose();
  return kernel;
}

}  // namespace

PackedMatrix::PackedMatrix(int64_t k, int64_t n, int64_t panel_cols)
    : k_(k), n_(n), panel_cols_(panel_cols) {}

std::shared_ptr<const PackedMatrix> PackedMatrix::Create(const float* b, int64_t k, int64_t n,
                                                         bool transpose_b) {
  const int64_t panel_cols = TheKernel().panel_cols;
  if (panel_cols == 0) return nullptr;
  std::shared_ptr<PackedMatrix> packed(new PackedMatrix(k, n, panel_cols));
  const int64_t panels = (n + panel_cols - 1) / panel_cols;
  const size_t bytes =
      static_cast<size_t>(std::max<int64_t>(1, panels * k * panel_cols)) * sizeof(float);
  packed->memory_ = AllocateWeightMemory(bytes);
  packed->data_ = static_cast<float*>(packed->memory_.get());
  std::memset(packed->data_, 0, bytes);
  for (int64_t p = 0; p < panels; ++p) {
    float* panel = packed->data_ + p * k * panel_cols;
    const int64_t j0 = p * panel_cols, cols = std::min(panel_cols, n - j0);
    for (int64_t depth = 0; depth < k; ++depth) {
      float* row = panel + depth * panel_cols;
      if (transpose_b) {
        for (int64_t j = 0; j < cols; ++j) row[j] = b[(j0 + j) * k + depth];
      } else {
        std::memcpy(row, b + depth * n + j0, static_cast<size_t>(cols) * sizeof(float));
      }
    }
  }
  return packed;
}

std::shared_ptr<const PackedMatrix> PackedWeights::For(const Tensor& weights, bool transpose_b) {
  const int64_t k = transpose_b ? weights.dim(1) : weights.dim(0);
  const int64_t n = transpose_b ? weights.dim(0) : weights.dim(1);
  return Find(weights,
              {.offset = 0, .k = k, .n = n, .transpose_b = transpose_b, .matrix = nullptr});
}

std::shared_ptr<const PackedMatrix> PackedWeights::For(const Tensor& weights, int64_t offset,
                                                       int64_t k, int64_t n) {
  return Find(weights, {.offset = offset, .k = k, .n = n, .transpose_b = false, .matrix = nullptr});
}

std::shared_ptr<const PackedMatrix> PackedWeights::Find(const Tensor& weights,
                                                        const Packed& wanted) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!source_.initialized() || source_.flat<float>() != weights.flat<float>()) {
    source_ = weights;
    packed_.clear();
  }
  for (const Packed& p : packed_) {
    if (p.offset == wanted.offset && p.k == wanted.k && p.n == wanted.n &&
        p.transpose_b == wanted.transpose_b) {
      return p.matrix;
    }
  }
  Packed made = wanted;
  made.matrix = PackedMatrix::Create(weights.flat<float>() + wanted.offset, wanted.k, wanted.n,
                                     wanted.transpose_b);
  packed_.push_back(made);
  return made.matrix;
}

namespace {

// Columns [first_panel, end_panel) of c; with `segments`, over those depths of b only.
void RunPanels(const float* a, int64_t m, const PackedMatrix& b, float* c, int64_t first_panel,
               int64_t end_panel, const DepthSegments* segments, const PackedEpilogue& epilogue) {
  const int64_t j0 = first_panel * b.panel_cols();
  auto at_j0 = [j0](const float* p) { return p != nullptr ? p + j0 : nullptr; };
  const int64_t depth = segments != nullptr ? segments->depths : b.k();
  TheKernel().run({.a = a,
                   .lda = depth,
                   .m = m,
                   .k = depth,
                   .n = std::min(b.n(), end_panel * b.panel_cols()) - j0,
                   .panels = b.panel(first_panel),
                   .c = c + j0,
                   .ldc = b.n(),
                   .segments = segments != nullptr ? segments->pairs : nullptr,
                   .segment_count = segments != nullptr ? segments->count : 0,
                   .panel_depth = b.k(),
                   .bias = at_j0(epilogue.bias),
                   .residual = at_j0(epilogue.residual),
                   .activation = epilogue.activation});
}

// All of c's columns, each idle core its own contiguous share of b's panels where SplitsPanels.
void RunSplitByPanels(const float* a, int64_t m, const PackedMatrix& b, float* c,
                      const DepthSegments* segments, const PackedEpilogue& epilogue) {
  const int64_t panels = PanelCount(b);
  if (!SplitsPanels(m, segments != nullptr ? segments->depths : b.k(), b)) {
    return RunPanels(a, m, b, c, 0, panels, segments, epilogue);
  }
  SplitRowRange(panels, [&](int64_t first, int64_t end) {
    RunPanels(a, m, b, c, first, end, segments, epilogue);
  });
}

// The epilogue of rows [first, ...) of c.
PackedEpilogue FromRow(const PackedEpilogue& epilogue, int64_t first, int64_t n) {
  PackedEpilogue from = epilogue;
  if (from.residual != nullptr) from.residual += first * n;
  return from;
}

}  // namespace

void GemmPacked(const float* a, int64_t m, const PackedMatrix& b, float* c,
                const PackedEpilogue& epilogue) {
  RunSplitByPanels(a, m, b, c, nullptr, epilogue);
}

void GemmPackedOnCallingThread(const float* a, int64_t m, const PackedMatrix& b, float* c,
                               const PackedEpilogue& epilogue) {
  RunPanels(a, m, b, c, 0, PanelCount(b), nullptr, epilogue);
}

void GemmPackedSegmentsOnCallingThread(const float* a, int64_t m, const DepthSegments& segments,
                                       const PackedMatrix& b, float* c, int64_t first_panel,
                                       int64_t end_panel) {
  RunPanels(a, m, b, c, first_panel, end_panel, &segments, {});
}

void GemmPackedSegments(const float* a, int64_t m, const DepthSegments& segments,
                        const PackedMatrix& b, float* c) {
  RunSplitByPanels(a, m, b, c, &segments, {});
}

bool SplitsRowsAmongCores(int64_t m, int64_t chunk_rows, int64_t depth, const PackedMatrix& b) {
  return ChooseRowSplit(m, std::max<int64_t>(chunk_rows, 1), depth, b) != RowSplit::kNone;
}

int64_t EpilogueChunkRows(int64_t n) {
  constexpr int64_t kChunkBytes = 128 << 10, kChunkMinRows = 96;
  return std::max<int64_t>(
      kChunkMinRows, kChunkBytes / (std::max<int64_t>(n, 1) * static_cast<int64_t>(sizeof(float))));
}

void GemmPackedInChunks(int64_t m, int64_t chunk_rows, const PackedMatrix& b, float* c,
                        const std::function<const float*(int64_t first, int64_t rows)>& a_rows,
                        const std::function<void(int64_t first, int64_t rows)>& finish,
                        const PackedEpilogue& epilogue) {
  chunk_rows = std::max<int64_t>(chunk_rows, 1);
  const int64_t chunks = (m + chunk_rows - 1) / chunk_rows;
  // Evened out: BERT b1's 128 rows in chunks of 96 left one of 32.
  chunk_rows = (m + chunks - 1) / std::max<int64_t>(chunks, 1);
  const RowSplit split = ChooseRowSplit(m, chunk_rows, b.k(), b);
  if (split == RowSplit::kRowsInChunks) {
    SplitRowRange(m, [&](int64_t begin, int64_t end) {
      for (int64_t first = begin; first < end; first += chunk_rows) {
        const int64_t rows = std::min(end - first, chunk_rows);
        GemmPackedOnCallingThread(a_rows(first, rows), rows, b, c + first * b.n(),
                                  FromRow(epilogue, first, b.n()));
        if (finish) finish(first, rows);
      }
    });
    return;
  }
  const bool split_rows = split == RowSplit::kWholeChunks;
  auto run = [&](int64_t first_chunk, int64_t end_chunk) {
    for (int64_t chunk = first_chunk; chunk < end_chunk; ++chunk) {
      const int64_t first = chunk * chunk_rows, rows = std::min(m - first, chunk_rows);
      const float* a = a_rows(first, rows);
      float* rows_of_c = c + first * b.n();
      const PackedEpilogue rows_epilogue = FromRow(epilogue, first, b.n());
      if (split_rows) {
        GemmPackedOnCallingThread(a, rows, b, rows_of_c, rows_epilogue);
      } else {
        GemmPacked(a, rows, b, rows_of_c, rows_epilogue);
      }
      if (finish) finish(first, rows);
    }
  };
  if (split_rows) {
    SplitRowRange(chunks, run);
  } else {
    run(0, chunks);
  }
}

}  // namespace tern
