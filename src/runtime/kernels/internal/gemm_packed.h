// Products with a constant B (a dense layer's weights) packed once into column panels, for CPUs
// where oneDNN's matmul primitive does not pack them (OneDnnMatMulPacksWeights: oneDNN 2.6 has
// its packing kernels for AVX-512 only). Gemm reads a row-major B in place, each tile's columns a
// stride of n floats apart from one depth to the next, which the prefetchers follow poorly; packed,
// a tile walks one contiguous panel (the MLP's 8 x 512 x 512 on an AVX2 AMD EPYC: 0.7x of Gemm's
// time).
//
// PackedMatrix is immutable once made and shared freely; GemmPacked is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/kernels/internal/gemm.h"
#include "runtime/tensor.h"

namespace tern {

// B [k,n] as GemmPacked reads it: [panels][k][panel_cols], the last panel zero-padded.
class PackedMatrix {
 public:
  // `b` is [k,n] row-major, or [n,k] when `transpose_b`. nullptr on a CPU without the packed
  // kernel (no AVX2+FMA, or not x86-64).
  static std::shared_ptr<const PackedMatrix> Create(const float* b, int64_t k, int64_t n,
                                                    bool transpose_b);

  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  int64_t panel_cols() const { return panel_cols_; }
  const float* panel(int64_t index) const { return data_ + index * k_ * panel_cols_; }

 private:
  PackedMatrix(int64_t k, int64_t n, int64_t panel_cols);

  const int64_t k_, n_, panel_cols_;
  std::shared_ptr<void> memory_;  // weight_arena.h's, so large weights get huge pages
  float* data_ = nullptr;
};

// A weight tensor's packed copies, made once per weight buffer (a Tensor is never mutated, so the
// same buffer means the same values; an assigned variable hands out a new buffer, packed again).
// Holds the source tensor, so its buffer is not reused while cached. Thread-safe.
class PackedWeights {
 public:
  // `weights` float [k,n], or [n,k] when `transpose_b`; nullptr where PackedMatrix::Create is.
  std::shared_ptr<const PackedMatrix> For(const Tensor& weights, bool transpose_b);
  // The [k,n] row-major block of `weights` starting `offset` floats in (a tap of a filter).
  std::shared_ptr<const PackedMatrix> For(const Tensor& weights, int64_t offset, int64_t k,
                                          int64_t n);

 private:
  struct Packed {
    int64_t offset, k, n;
    bool transpose_b;
    std::shared_ptr<const PackedMatrix> matrix;
  };
  std::shared_ptr<const PackedMatrix> Find(const Tensor& weights, const Packed& wanted);

  std::mutex mu_;
  Tensor source_;
  std::vector<Packed> packed_;
};

// From this many rows Gemm's dnnl_sgemm, whose packing of b is shared by as many rows, is as fast
// as GemmPacked (AVX2 AMD EPYC, loadtest/gemm/matmul_bench): a product with a constant b under it
// (_FusedMatMul, Einsum) packs b.
inline constexpr int64_t kGemmPackedMaxRows = 256;

// What a packed product applies to c as it stores each tile, while the sums are in registers
// (gemm.h's PackedGemmArgs): + bias [n] per column, + residual [m, n] (dense, like c), then ReLU
// or ReLU6. A pass over c afterwards cost the MLP at batch 64 3% of its run.
struct PackedEpilogue {
  const float* bias = nullptr;
  const float* residual = nullptr;
  StoreActivation activation = StoreActivation::kNone;
};

// c [m,n] = a [m,k] x b, all row-major and dense, on the cores IntraOpThreads lends a product
// with work to share (split by panels: each core reads only its own share of b).
void GemmPacked(const float* a, int64_t m, const PackedMatrix& b, float* c,
                const PackedEpilogue& epilogue = {});
// The same product on the calling thread only, for a caller that splits rows among cores itself.
void GemmPackedOnCallingThread(const float* a, int64_t m, const PackedMatrix& b, float* c,
                               const PackedEpilogue& epilogue = {});

// Some of b's depths: `pairs` holds `count` (first depth, depths) pairs, in the order a's columns
// meet them (a convolution's taps that fall inside the input, for output pixels at its edge).
struct DepthSegments {
  const int64_t* pairs = nullptr;
  int64_t count = 0;
  int64_t depths = 0;  // their sum: a's columns
};
// c [m, n] (dense) = a [m, segments.depths] x those depths of b, panels [first_panel, end_panel)
// of c's columns only, on the calling thread.
void GemmPackedSegmentsOnCallingThread(const float* a, int64_t m, const DepthSegments& segments,
                                       const PackedMatrix& b, float* c, int64_t first_panel,
                                       int64_t end_panel);
// All of c's columns, b's panels split among idle cores where GemmPacked would split them.
void GemmPackedSegments(const float* a, int64_t m, const DepthSegments& segments,
                        const PackedMatrix& b, float* c);

// Whether GemmPackedInChunks shares a product of m rows (`depth` of b's rows deep, in chunks of
// `chunk_rows`) among idle cores by rows, each core its own; otherwise chunk by chunk, each
// product splitting b's panels (GemmPacked). For callers that run such chunks themselves.
bool SplitsRowsAmongCores(int64_t m, int64_t chunk_rows, int64_t depth, const PackedMatrix& b);

// The chunk GemmPackedInChunks takes for a product with an epilogue over c [m, n]: about 128 KiB
// of c, at least 96 rows (BERT b8's 1024 x 256 x 1024 and 1024 x 1024 x 256 layers, paired
// runs: 96 rows beat 32, 64 and 128; chunks of 256-384 KiB lost 3-4%).
int64_t EpilogueChunkRows(int64_t n);

// c [m,n] = a x b a chunk of `chunk_rows` rows at a time, each chunk finished by the caller's
// epilogue right after its product, while those rows of c are still in cache: `a_rows(first,
// rows)` gives the chunk's rows of a (dense, k floats apart; a caller may gather them into a
// buffer of its own, one per thread), `finish(first, rows)` (if set) runs over c's rows [first,
// first + rows) after `epilogue` was applied to them. From 4 chunks and 4 MFLOP, or for a small
// product of 8 rows and 0.5 MFLOP, idle cores take rows of their own (each reads all of b);
// otherwise each chunk's product splits the panels among them (GemmPacked). Both callbacks may run
// on several threads at once, on disjoint rows.
void GemmPackedInChunks(int64_t m, int64_t chunk_rows, const PackedMatrix& b, float* c,
                        const std::function<const float*(int64_t first, int64_t rows)>& a_rows,
                        const std::function<void(int64_t first, int64_t rows)>& finish,
                        const PackedEpilogue& epilogue = {});

}  // namespace tern
