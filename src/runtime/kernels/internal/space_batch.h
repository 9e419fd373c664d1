// The index mapping shared by SpaceToBatchND and BatchToSpaceND (how Keras exports dilated
// convolutions). For block shape B (M dims) and a "space" tensor [batch, s_1..s_M, rest...]
// padded by (pad_start, pad_end) per spatial dim, the "batch" tensor is
// [prod(B)*batch, p_1/B_1 .. p_M/B_M, rest...] with
//   batch[(offset * batch) + n, o_1..o_M, r] = padded_space[n, o_i*B_i + offset_i, r]
// where offset is the row-major flat index of (offset_1..offset_M) over B. Padding reads as
// zero (SpaceToBatch) or is cropped away (BatchToSpace). Stateless; thread-safe.
#pragma once

#include <vector>

#include "runtime/kernels/internal/common.h"

namespace tern {

enum class SpaceBatchDirection { kSpaceToBatch, kBatchToSpace };

// Inputs: (input, block_shape [M], paddings or crops [M,2]); writes output 0.
Status SpaceBatchToOutput(KernelContext& ctx, SpaceBatchDirection direction);

}  // namespace tern
