// Row operations along dimension 0, used to merge requests into a batch and split the outputs
// back. Pure functions on tensors; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "runtime/tensor.h"

namespace tern {

enum class InnerDims {
  kMustMatch,     // every part has the same dims after dimension 0
  kPadToLargest,  // smaller parts are zero-padded at the end of each inner dimension
};

// Concatenates `parts` along dimension 0 and appends copies of the first row until the result
// has `total_rows` rows (total_rows must be >= the sum of the parts' rows). The parts must share
// dtype and rank (>= 1). Numeric and string dtypes are supported.
StatusOr<Tensor> ConcatRows(const std::vector<Tensor>& parts, int64_t total_rows, InnerDims inner);

// A copy of rows [begin, begin + count) of a tensor of rank >= 1.
StatusOr<Tensor> SliceRows(const Tensor& tensor, int64_t begin, int64_t count);

}  // namespace tern
