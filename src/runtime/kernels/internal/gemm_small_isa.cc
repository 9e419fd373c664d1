// GEMM for few rows without packing: C[m,n] = op(A)[m,k] * B[k,n] with B row-major, read in
// place. Eigen packs all of B (its "lhs" in the transposed view) on every call, which at m <= 64
// costs about as much as the multiply; here each tile of C (up to 8 rows by up to 8 vectors of
// columns) lives in registers across the whole depth: per step of k it loads the tile's
// contiguous stretch of B's row k and broadcasts one element of A per row. B is walked in column
// panels of kPanelBytes so a panel stays in L2 while every block of rows passes over it.
// The same tiles run gemm_packed.h's products over B packed into contiguous panels of two vectors.
// CMake compiles this file once per ISA (AVX2+FMA, AVX-512) with TERN_GEMM_SMALL_FN and
// TERN_GEMM_PACKED_FN naming the entry points; everything else has internal linkage, so the builds
// never merge. No standard library templates here for the same reason (an inline template
// instantiated with AVX-512 code could be picked by the linker for every caller).
#include <immintrin.h>

#include <cstdint>

#include "runtime/kernels/internal/gemm.h"

namespace tern {
namespace {

#if defined(__AVX512F__)
constexpr int kWidth = 16;
using Vec = __m512;
using Mask = __mmask16;
// Accumulator registers a tile may use (of 32), leaving room for B's vectors and a broadcast.
constexpr int kAccumulators = 24;
constexpr int kMaxVecs = 8;
inline Mask TailMask(int64_t lanes) { return static_cast<Mask>((1u << lanes) - 1u); }
inline Vec Zero() { return _mm512_setzero_ps(); }
inline Vec Load(const float* p) { return _mm512_loadu_ps(p); }
inline Vec LoadTail(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
inline Vec Broadcast(const float* p) { return _mm512_set1_ps(*p); }
inline Vec Fma(Vec a, Vec b, Vec acc) { return _mm512_fmadd_ps(a, b, acc); }
inline Vec Add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
inline void Store(float* p, Vec v) { _mm512_storeu_ps(p, v); }
inline void StoreTail(float* p, Vec v, Mask m) { _mm512_mask_storeu_ps(p, m, v); }
inline Vec Set1(float x) { return _mm512_set1_ps(x); }
// Either operand NaN: the second, as maxps/minps give it. (The masked forms: GCC 12 warns that
// the unmasked ones read an uninitialized vector.)
inline Vec Max(Vec a, Vec b) { return _mm512_mask_max_ps(a, Mask(0xffff), a, b); }
inline Vec Min(Vec a, Vec b) { return _mm512_mask_min_ps(a, Mask(0xffff), a, b); }
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int kWidth = 8;
using Vec = __m256;
using Mask = __m256i;
constexpr int kAccumulators = 12;  // of 16
constexpr int kMaxVecs = 4;
inline Mask TailMask(int64_t lanes) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(lanes)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline Vec Zero() { return _mm256_setzero_ps(); }
inline Vec Load(const float* p) { return _mm256_loadu_ps(p); }
// vmaskmovps suppresses faults on masked-off lanes, so a tail never reads past B or C.
inline Vec LoadTail(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
inline Vec Broadcast(const float* p) { return _mm256_broadcast_ss(p); }
inline Vec Fma(Vec a, Vec b, Vec acc) { return _mm256_fmadd_ps(a, b, acc); }
inline Vec Add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
inline void Store(float* p, Vec v) { _mm256_storeu_ps(p, v); }
inline void StoreTail(float* p, Vec v, Mask m) { _mm256_maskstore_ps(p, m, v); }
inline Vec Set1(float x) { return _mm256_set1_ps(x); }
// Either operand NaN: the second, as maxps/minps give it.
inline Vec Max(Vec a, Vec b) { return _mm256_max_ps(a, b); }
inline Vec Min(Vec a, Vec b) { return _mm256_min_ps(a, b); }
#else
#error "gemm_small_isa.cc is built only for AVX2+FMA and AVX-512"
#endif

// B's column panel walked by all row blocks before the next: half of a 1 MiB L2 (2 MiB here),
// leaving room for A's rows and C.
constexpr int64_t kPanelBytes = 512 * 1024;

// Rows of a tile whose columns take `vecs` vectors: as many as the accumulators allow, at most 8
// (each row needs its own pointer into A, and x86-64 has 16 general registers).
constexpr int MaxRows(int vecs) { return kAccumulators / vecs < 8 ? kAccumulators / vecs : 8; }

struct TileArgs {
  const float* a;   // the tile's first row of op(A), at depth 0
  int64_t a_row;    // elements between rows of op(A)
  int64_t a_depth;  // elements between depths of op(A)
  const float* b;   // B[0, first column of the tile]
  int64_t ldb;
  float* c;  // C[first row, first column of the tile]
  int64_t ldc;
  int64_t k;
  int64_t cols;  // columns of the tile, in ((kVecs-1)*kWidth, kVecs*kWidth]
  // The depths of B the product walks, as (first depth, count) pairs, A's depths taking them back
  // to back; nullptr: [0, k).
  const int64_t* segments = nullptr;
  int64_t segment_count = 0;
  // PackedGemmArgs' epilogue, at the tile's first column (residual: its first row too).
  const float* bias = nullptr;
  const float* residual = nullptr;
  StoreActivation activation = StoreActivation::kNone;
};

// A stored tile of c finished as PackedGemmArgs says: + bias, + residual, then the activation,
// in the order (and with the NaN results) of the fused kernels' own passes. It rereads the tile
// from L1 rather than taking the sums in registers: finishing those made GCC keep the
// accumulators on the stack through the loop over k (the MLP at batch 64 ran 1.8x slower).
template <int kRows, int kVecs, bool kTail>
__attribute__((noinline)) void FinishTile(const TileArgs& t, Mask tail) {
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) {
    float* crow = t.c + r * t.ldc;
    const float* residual_row = t.residual != nullptr ? t.residual + r * t.ldc : nullptr;
#pragma GCC unroll 8
    for (int v = 0; v < kVecs; ++v) {
      const bool tail_vec = kTail && v == kVecs - 1;
      auto load = [&](const float* p) { return tail_vec ? LoadTail(p, tail) : Load(p); };
      Vec sum = load(crow + v * kWidth);
      if (t.bias != nullptr) sum = Add(sum, load(t.bias + v * kWidth));
      if (residual_row != nullptr) sum = Add(sum, load(residual_row + v * kWidth));
      switch (t.activation) {
        case StoreActivation::kNone: break;
        case StoreActivation::kRelu: sum = Max(sum, Zero()); break;  // v > 0 ? v : 0
        case StoreActivation::kRelu6: sum = Min(Set1(6.f), Max(Zero(), sum)); break;
      }
      if (tail_vec) {
        StoreTail(crow + v * kWidth, sum, tail);
      } else {
        Store(crow + v * kWidth, sum);
      }
    }
  }
}

// One kRows x (kVecs*kWidth) tile of C over the full depth; the last vector is masked when
// kTail. A tile of few accumulators alternates two sets over k, so that FMA latency (4 cycles,
// 2 per cycle) is hidden by independent chains rather than stalling on one.
// kSegmented: over t.segments (a separate build: the loop over segments costs the plain walk
// over k registers, 0.8x of its speed at 64 rows).
template <int kRows, int kVecs, bool kTail, bool kSegmented = false>
void Tile(const TileArgs& t) {
  constexpr int kSets = kRows * kVecs <= 4 ? 2 : 1;
  const Mask tail = TailMask(kTail ? t.cols - (kVecs - 1) * kWidth : kWidth);
  const float* rows[kRows];
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) rows[r] = t.a + r * t.a_row;
  Vec acc[kSets][kRows][kVecs];
#pragma GCC unroll 2
  for (int s = 0; s < kSets; ++s) {
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 8
      for (int v = 0; v < kVecs; ++v) acc[s][r][v] = Zero();
    }
  }
  // Locals, not t's fields: the compiler otherwise reloads them on every step of k.
  const float* brow = t.b;
  const int64_t ldb = t.ldb;
  const int64_t a_depth = t.a_depth;
  int64_t offset = 0;  // of depth p in A's rows
  auto step = [&](int s) {
    Vec bv[kVecs];
#pragma GCC unroll 8
    for (int v = 0; v < kVecs; ++v) {
      bv[v] =
          (kTail && v == kVecs - 1) ? LoadTail(brow + v * kWidth, tail) : Load(brow + v * kWidth);
    }
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      const Vec x = Broadcast(rows[r] + offset);
#pragma GCC unroll 8
      for (int v = 0; v < kVecs; ++v) acc[s][r][v] = Fma(x, bv[v], acc[s][r][v]);
    }
    brow += ldb;
    offset += a_depth;
  };
  auto walk = [&](int64_t depths) {
    int64_t p = depths;
    if constexpr (kSets == 2) {
      for (; p >= 2; p -= 2) {
        step(0);
        step(1);
      }
    }
    for (; p > 0; --p) step(0);
  };
  if constexpr (kSegmented) {
    for (int64_t i = 0; i < t.segment_count; ++i) {
      brow = t.b + t.segments[2 * i] * ldb;
      walk(t.segments[2 * i + 1]);
    }
  } else {
    walk(t.k);
  }
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) {
    float* crow = t.c + r * t.ldc;
#pragma GCC unroll 8
    for (int v = 0; v < kVecs; ++v) {
      Vec sum = acc[0][r][v];
      if constexpr (kSets == 2) sum = Add(sum, acc[1][r][v]);
      if (kTail && v == kVecs - 1) {
        StoreTail(crow + v * kWidth, sum, tail);
      } else {
        Store(crow + v * kWidth, sum);
      }
    }
  }
  if (t.bias != nullptr || t.residual != nullptr || t.activation != StoreActivation::kNone) {
    FinishTile<kRows, kVecs, kTail>(t, tail);
  }
}

// Tile<rows, kVecs, kTail> for a row count known only at run time (a block's last rows).
template <int kVecs, bool kTail, bool kSegmented = false, int kRows = 1>
void TileRows(int rows, const TileArgs& t) {
  if constexpr (kRows < MaxRows(kVecs)) {
    if (rows != kRows) return TileRows<kVecs, kTail, kSegmented, kRows + 1>(rows, t);
  }
  Tile<kRows, kVecs, kTail, kSegmented>(t);
}

template <int kVecs = 1>
void TileAny(int rows, const TileArgs& t) {
  if constexpr (kVecs < kMaxVecs) {
    if (t.cols > kVecs * kWidth) return TileAny<kVecs + 1>(rows, t);
  }
  if (t.cols == kVecs * kWidth) {
    TileRows<kVecs, false>(rows, t);
  } else {
    TileRows<kVecs, true>(rows, t);
  }
}

// MaxRows(vecs) for a run-time vecs.
template <int kVecs = 1>
int RowsFor(int vecs) {
  if constexpr (kVecs < kMaxVecs) {
    if (vecs != kVecs) return RowsFor<kVecs + 1>(vecs);
  }
  return MaxRows(kVecs);
}

}  // namespace

void TERN_GEMM_SMALL_FN(const GemmArgs& g) {
  const int64_t m = g.m, k = g.k, n = g.n;
  if (m <= 0 || n <= 0) return;
  const int64_t lda = g.lda ? g.lda : (g.transpose_a ? m : k);
  const int64_t ldb = g.ldb ? g.ldb : n, ldc = g.ldc ? g.ldc : n;
  const int64_t a_row = g.transpose_a ? 1 : lda;
  const int64_t a_depth = g.transpose_a ? lda : 1;
  // Tile width by a cost per step of k, summed over the tiles: the FMAs (at least 8, the chains
  // it takes to hide their latency), the broadcasts of A, and B's vectors counted twice since they
  // come from L2. Few rows get wide tiles (one pass over B), many rows tall ones (fewer passes).
  const int64_t n_vecs = (n + kWidth - 1) / kWidth;
  int vecs = 1;
  int64_t cheapest = -1;
  for (int v = 1; v <= kMaxVecs && v <= n_vecs; ++v) {
    const int64_t rows = RowsFor(v);
    auto tile_cost = [v](int64_t r) { return (r * v > 8 ? r * v : 8) + 2 * v + r; };
    const int64_t cost = ((n_vecs + v - 1) / v) *
                         (m / rows * tile_cost(rows) + (m % rows > 0 ? tile_cost(m % rows) : 0));
    if (cheapest < 0 || cost < cheapest) {
      cheapest = cost;
      vecs = v;
    }
  }
  const int64_t tile_cols = vecs * kWidth;
  const int64_t block_rows = RowsFor(vecs);
  // At least one tile wide; a multiple of tiles so only the last tile of C's row is partial.
  const int64_t depth_bytes = (k > 0 ? k : 1) * static_cast<int64_t>(sizeof(float));
  int64_t panel_cols = kPanelBytes / depth_bytes / tile_cols * tile_cols;
  if (panel_cols < tile_cols) panel_cols = tile_cols;
  for (int64_t j0 = 0; j0 < n; j0 += panel_cols) {
    const int64_t j1 = j0 + panel_cols < n ? j0 + panel_cols : n;
    for (int64_t i = 0; i < m; i += block_rows) {
      const int rows = static_cast<int>(m - i < block_rows ? m - i : block_rows);
      for (int64_t j = j0; j < j1; j += tile_cols) {
        const TileArgs t = {.a = g.a + i * a_row,
                            .a_row = a_row,
                            .a_depth = a_depth,
                            .b = g.b + j,
                            .ldb = ldb,
                            .c = g.c + i * ldc + j,
                            .ldc = ldc,
                            .k = k,
                            .cols = j1 - j < tile_cols ? j1 - j : tile_cols};
        TileAny(rows, t);
      }
    }
  }
}

// Rows of op(A) a packed product takes through all of B's panels before the next: A's share at
// most this many bytes, so it stays in L2 (half of 512 KiB) beside the panel being walked.
constexpr int64_t kPackedRowChunkBytes = 128 * 1024;

void TERN_GEMM_PACKED_FN(const PackedGemmArgs& g) {
  // Panels two vectors wide: a 6-row tile (AVX2; 8 with AVX-512) reuses each vector of B six
  // times and each broadcast of A twice, and a panel of 512 rows is 32 KiB (AVX2), one L1.
  constexpr int kPanelVecs = 2;
  constexpr int64_t kPanelCols = kPanelVecs * kWidth;
  constexpr int64_t kBlockRows = MaxRows(kPanelVecs);
  const int64_t m = g.m, k = g.k, n = g.n;
  const int64_t panel_depth = g.segments != nullptr ? g.panel_depth : k;
  if (m <= 0 || n <= 0) return;
  const int64_t depth_bytes = (k > 0 ? k : 1) * static_cast<int64_t>(sizeof(float));
  // As many rows as fit the budget, evened out over the chunks m needs: rounding down to whole
  // tiles instead left short chunks of 2-4 rows (BERT b1's 32 rows of depth 1024: 30 + 2), whose
  // tiles run the FMAs at half speed and walk all of b again.
  int64_t chunk_rows = kPackedRowChunkBytes / depth_bytes;
  if (chunk_rows < kBlockRows) chunk_rows = kBlockRows;
  const int64_t chunks = (m + chunk_rows - 1) / chunk_rows;
  chunk_rows = (m + chunks - 1) / chunks;
  for (int64_t i0 = 0; i0 < m; i0 += chunk_rows) {
    const int64_t i1 = m - i0 < chunk_rows ? m : i0 + chunk_rows;
    for (int64_t j = 0; j < n; j += kPanelCols) {
      const int64_t cols = n - j < kPanelCols ? n - j : kPanelCols;
      TileArgs t = {.a = nullptr,
                    .a_row = g.lda,
                    .a_depth = 1,
                    .b = g.panels + (j / kPanelCols) * panel_depth * kPanelCols,
                    .ldb = kPanelCols,
                    .c = nullptr,
                    .ldc = g.ldc,
                    .k = k,
                    .cols = cols,
                    .segments = g.segments,
                    .segment_count = g.segment_count,
                    .bias = g.bias != nullptr ? g.bias + j : nullptr,
                    .residual = nullptr,
                    .activation = g.activation};
      // Blocks of rows as even as the tile allows: 8 rows are two tiles of 4, whose 8
      // accumulators each still hide the FMA latency, not 6 and a 2 of half the throughput.
      int64_t blocks = (i1 - i0 + kBlockRows - 1) / kBlockRows;
      for (int64_t i = i0; i < i1; --blocks) {
        const int rows = static_cast<int>((i1 - i + blocks - 1) / blocks);
        t.a = g.a + i * g.lda;
        t.c = g.c + i * g.ldc + j;
        if (g.residual != nullptr) t.residual = g.residual + i * g.ldc + j;
        if (g.segments != nullptr) {
          if (cols == kPanelCols) {
            TileRows<kPanelVecs, false, true>(rows, t);
          } else if (cols > kWidth) {
            TileRows<kPanelVecs, true, true>(rows, t);
          } else {
            TileRows<1, true, true>(rows, t);
          }
        } else if (cols == kPanelCols) {
          TileRows<kPanelVecs, false>(rows, t);
        } else if (cols > kWidth) {
          TileRows<kPanelVecs, true>(rows, t);
        } else {
          TileRows<1, true>(rows, t);
        }
        i += rows;
      }
    }
  }
}

}  // namespace tern
