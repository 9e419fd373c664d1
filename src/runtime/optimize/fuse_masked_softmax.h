// Load-time fusion of Keras' masked softmax (keras.layers.Softmax called with a mask, so every
// MultiHeadAttention with an attention or padding mask), which the TensorFlow backend writes as
//   out = SelectV2(mask, Softmax(SelectV2(mask, x, masked_logit)), masked_output)
// (masked_logit -1e9, masked_output 0), into one _FusedMaskedSoftmax(mask, x) node
// (kernels/fused_masked_softmax.cc) named after `out`: one pass over each row instead of three
// over the whole tensor. Only when both selects read the same mask, both constants are rank-0
// float Consts, and the first select and the Softmax are float and read by nothing else (and not
// fed, fetched or a target). Stateless; thread-safe.
#pragma once

#include <optional>

#include "common/status.h"
#include "runtime/graph.h"
#include "runtime/plan.h"

namespace tern {

// `graph` with every masked softmax fused, or nullopt when there is none. The result points into
// `graph`, which must outlive it.
StatusOr<std::optional<Graph>> FuseMaskedSoftmaxes(const Graph& graph, const PlanSpec& spec);

}  // namespace tern
