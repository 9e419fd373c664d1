// Load-time fusion of GELU as tf.nn.gelu writes it (Keras' gelu activation and keras_hub's
// gelu_approximate with the TensorFlow backend):
//   exact:       Mul(Mul(0.5, x), Erfc(Mul(Neg(x), 0.70710677)))          (TensorFlow 2.21)
//                Mul(Mul(0.5, x), AddV2(1, Erf(RealDiv(x, 1.4142135))))   (or Mul(x, 0.70710677))
//   approximate: Mul(Mul(0.5, x), AddV2(1, Tanh(Mul(0.7978846,
//                    AddV2(x, Mul(0.044715, Pow(x, 3)))))))
// (operands of Mul and AddV2 in either order) become one _FusedGelu node (kernels/fused_gelu.cc)
// named after the last Mul: one pass instead of five to eight. Only when every node it replaces
// is float and read by nothing else (and not fed, fetched or a target), and every constant is a
// rank-0 float Const equal to tf.nn.gelu's (as float). Stateless; thread-safe.
#pragma once

#include <optional>

#include "common/status.h"
#include "runtime/graph.h"
#include "runtime/plan.h"

namespace tern {

// `graph` with every GELU fused, or nullopt when there is none. The result points into `graph`,
// which must outlive it.
StatusOr<std::optional<Graph>> FuseGelus(const Graph& graph, const PlanSpec& spec);

}  // namespace tern
