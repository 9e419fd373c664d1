// Load-time fusion of layer normalization: the ops Keras 3's LayerNormalization writes with the
// TensorFlow backend (keras.ops.layer_normalization over the last axis),
//   mean = Mean(x, [-1], keep_dims)
//   var  = Mean(SquaredDifference(x, StopGradient(mean)), [-1], keep_dims)
//   inv  = Rsqrt(AddV2(var, epsilon)) [Mul gamma]
//   out  = AddV2(Mul(x, inv), [AddV2](Mul(Neg(mean), inv) [, beta]))
// (operands of Mul and AddV2 in either order, StopGradient optional), become one _FusedLayerNorm
// node (kernels/fused_layer_norm.cc) named after `out`: one pass over each row instead of ten
// ops over the whole tensor. Only when every node it replaces is float and read by nothing else
// (and not fed, fetched or a target), and epsilon is a scalar Const. Stateless; thread-safe.
#pragma once

#include <optional>

#include "common/status.h"
#include "runtime/graph.h"
#include "runtime/plan.h"

namespace tern {

// `graph` with every layer normalization fused, or nullopt when there is none. The result
// points into `graph`, which must outlive it.
StatusOr<std::optional<Graph>> FuseLayerNorms(const Graph& graph, const PlanSpec& spec);

}  // namespace tern
