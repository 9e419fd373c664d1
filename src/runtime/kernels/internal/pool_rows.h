// MaxPool's and AvgPool's float path: internal/vector_math.h's PoolRows over the output rows,
// split among the cores IntraOpThreads lends (parallel_rows.h). Stateless; thread-safe.
#pragma once

#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/internal/vector_math.h"
#include "runtime/kernels/internal/window.h"

namespace tern {

// out [batch, out_h, out_w, channels] = the pool of `in` for geometry g (every pixel written).
inline void PoolFloatRows(const WindowGeometry& g, const WindowAttrs& attrs, PoolArgs::Kind kind,
                          const float* in, float* out) {
  PoolArgs args{.in = in,
                .out = out,
                .in_h = g.in_h,
                .in_w = g.in_w,
                .channels = g.channels,
                .out_h = g.out_h,
                .out_w = g.out_w,
                .k_h = g.k_h,
                .k_w = g.k_w,
                .stride_h = attrs.stride_h,
                .stride_w = attrs.stride_w,
                .pad_top = g.pad_top,
                .pad_left = g.pad_left,
                .kind = kind};
  // Each output row reads about k_h input rows.
  const int64_t bytes_per_row =
      (g.k_h + 1) * g.in_w * g.channels * static_cast<int64_t>(sizeof(float));
  ForEachRowRange(g.batch * g.out_h, bytes_per_row, [&](int64_t begin, int64_t end) {
    PoolArgs part = args;
    part.first_row = begin;
    part.end_row = end;
    PoolRows(part);
  });
}

}  // namespace tern
