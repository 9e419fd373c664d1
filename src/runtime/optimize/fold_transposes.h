// Load-time folding of the Transposes around a batched product into it: attention as Keras 3's
// MultiHeadAttention writes it with the TensorFlow backend moves the heads axis before and after
// each per-head product,
//   out = Transpose(BatchMatMulV2(Transpose(x, perm_x), Transpose(y, perm_y)), perm_out)
// and each of those Transposes is a copy of a whole activation. The product and every Transpose
// around it that qualifies become one _TransposedBatchMatMul (kernels/transposed_batch_mat_mul.cc)
// named after the last node, which reads its operands in place and writes where the output
// Transpose would. A Transpose qualifies when it is float with a constant perm, is read by the
// product alone (or, after it, reads the product alone), is not fed, fetched or a target, and
// keeps its tensor's innermost dim among the matrix dims (so the matrix stays row- or
// column-major in memory). Stateless; thread-safe.
#pragma once

#include <optional>

#include "common/status.h"
#include "runtime/graph.h"
#include "runtime/plan.h"

namespace tern {

// `graph` with every qualifying Transpose folded into its product, or nullopt when there is
// none. The result points into `graph`, which must outlive it.
StatusOr<std::optional<Graph>> FoldTransposesIntoBatchMatMuls(const Graph& graph,
                                                              const PlanSpec& spec);

}  // namespace tern
