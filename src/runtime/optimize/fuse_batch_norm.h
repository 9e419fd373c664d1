// Load-time fusion of a batch norm with the Relu after it: a float FusedBatchNorm (V1, V2 or V3)
// whose only use is its y, read by one Relu, becomes one _FusedBatchNormEx with activation_mode
// Relu (kernels/fused_batch_norm.cc), so y is written once instead of twice. This is what is left
// of a batch norm once FuseConvolutions (fuse_convolutions.h, which runs first) has folded every
// one that follows a convolution: the pre-activation "batch norm, Relu, convolution" of DenseNet
// and ResNet v2.
//
// The batch norm must not be fed, fetched or a target; the fused node takes the Relu's name.
// Stateless; thread-safe.
#pragma once

#include <optional>

#include "common/status.h"
#include "runtime/graph.h"
#include "runtime/plan.h"

namespace tern {

// `graph` with every such pair fused, or nullopt when there is none. The result points into
// `graph`, which must outlive it.
StatusOr<std::optional<Graph>> FuseBatchNormRelus(const Graph& graph, const PlanSpec& spec);

}  // namespace tern
