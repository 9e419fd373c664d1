// Runs a loop over rows (or elements) on the cores IntraOpThreads lends one op (intra_op.h), for
// the memory-bound and row-wise kernels (batch norm, concatenation, elementwise arithmetic,
// transposes, softmax, ...) that would otherwise stay on one core while the convolutions and
// products around them use all that are idle. Thread-safe; `fn` is called concurrently on
// disjoint ranges.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>

#include "runtime/intra_op.h"

namespace tern {

// Below this many bytes a parallel region costs (a few microseconds) about what it saves.
inline constexpr int64_t kParallelRowsMinBytes = 256 * 1024;

// Whether rows of that size are worth splitting at all: enough of them and enough bytes, and a
// limit that lets an op use more than one core. (Whether a core is idle is known only when one
// is borrowed.)
inline bool WorthSplitting(int64_t rows, int64_t bytes_per_row) {
  return rows >= 2 &&
         static_cast<double>(rows) * static_cast<double>(bytes_per_row) >=
             static_cast<double>(kParallelRowsMinBytes) &&
         IntraOpThreads::Limit() > 1;
}

// fn(begin, end) over [0, rows) in contiguous parts, one per core lent. Use ForEachRowRange.
void SplitRowRange(int64_t rows, const std::function<void(int64_t begin, int64_t end)>& fn);

// fn(begin, end) over [0, rows): split among idle cores when WorthSplitting, else called once
// here on the calling thread (inlined, so the loop compiles as if written in place).
template <typename Fn>
void ForEachRowRange(int64_t rows, int64_t bytes_per_row, Fn&& fn) {
  if (rows <= 0) return;
  if (!WorthSplitting(rows, bytes_per_row)) {
    fn(int64_t{0}, rows);
    return;
  }
  SplitRowRange(rows, fn);
}

// fn(begin, end) over [0, n) elements in blocks, split the same way (`bytes_per_element`: every
// input's and the output's), for the elementwise loops.
template <typename Fn>
void ForEachElementRange(int64_t n, int64_t bytes_per_element, Fn&& fn) {
  constexpr int64_t kBlock = 4096;
  if (n <= 0) return;
  if (!WorthSplitting((n + kBlock - 1) / kBlock, kBlock * bytes_per_element)) {
    fn(int64_t{0}, n);
    return;
  }
  SplitRowRange((n + kBlock - 1) / kBlock,
                [&](int64_t begin, int64_t end) { fn(begin * kBlock, std::min(n, end * kBlock)); });
}

}  // namespace tern
