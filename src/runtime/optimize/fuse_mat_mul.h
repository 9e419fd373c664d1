// Load-time fusion of dense layers: a float MatMul (transpose_a false) whose b is a weight (a
// Const, a resource variable's ReadVariableOp, or a TF1 variable's Identity), followed by any of
// BiasAdd and one activation (Relu, Relu6, Elu, LeakyRelu, Sigmoid, or a _FusedGelu in its tanh
// or erf form), in that order, becomes one _FusedMatMul node (kernels/fused_mat_mul.cc) with
// attr tern_constant_b, which runs the product on oneDNN with b packed once and the bias and
// activation in the same pass. A MatMul with nothing to fuse becomes one too, for the packing.
// A Reshape between the MatMul and its BiasAdd (tf.tensordot's) joins as well: the fused node
// takes its shape as a last input, with attr tern_reshape.
// A float Einsum of two operands whose second is a weight (Keras's EinsumDense) stays as it is
// and gains attr tern_constant_b, with which it packs that operand once (kernels/einsum.cc); an
// Add, AddV2 or BiasAdd of a weight after it (the EinsumDense's bias) joins it, as attr
// tern_fused_bias and a third input.
//
// A node joins only when the one before it feeds nothing but it (one data use, of output 0, no
// control uses) and is not fed, fetched or a target; the fused node takes the last node's name.
// Runs after FuseGelus (fuse_gelu.h), whose _FusedGelu it can take in. Stateless; thread-safe.
#pragma once

#include <optional>

#include "common/status.h"
#include "runtime/graph.h"
#include "runtime/plan.h"

namespace tern {

// `graph` with every such MatMul fused, or nullopt when there is none. The result points into
// `graph`, which must outlive it.
StatusOr<std::optional<Graph>> FuseMatMuls(const Graph& graph, const PlanSpec& spec);

}  // namespace tern
