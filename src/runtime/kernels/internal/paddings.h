// The `paddings` input of Pad, PadV2 and MirrorPad: a [rank, 2] integer tensor of (before,
// after) per dimension of the input. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"

namespace tern {

// Reads `paddings` as [before0, after0, before1, ...]; an error naming both shapes when it is
// not [rank, 2]. The ops check the values' ranges themselves.
inline Status ReadPaddings(const KernelContext& ctx, const Tensor& input, const Tensor& paddings,
                           std::vector<int64_t>* pads) {
  const int rank = input.rank();
  if (paddings.rank() != 2 || paddings.dim(0) != rank || paddings.dim(1) != 2) {
    return ctx.Error("paddings must be [" + std::to_string(rank) + ", 2] for input of shape " +
                     input.shape().DebugString() + ", got " + paddings.shape().DebugString());
  }
  return ReadIndexValues(ctx, paddings, "paddings", pads);
}

}  // namespace tern
