// Load-time fusion of convolution chains: Conv2D or DepthwiseConv2dNative (float, NHWC)
// followed by any of BiasAdd, FusedBatchNorm (inference), Add/AddV2 and one activation (Relu,
// Relu6, Elu, LeakyRelu, Sigmoid, or swish: Mul(y, Sigmoid(y))), in that order, becomes one
// _FusedConv2D or _FusedDepthwiseConv2dNative node (kernels/fused_conv2d.cc), which folds the
// bias and batch norm into the filter and runs the rest as oneDNN post-ops. Keras' Conv2D +
// BatchNormalization + ReLU is one node instead of three, ResNet's residual Add + ReLU join the
// convolution before them, and EfficientNet's swish becomes a post-op. A zero Pad of H and W
// that only a VALID (or EXPLICIT) convolution reads joins that convolution's explicit padding,
// with or without a chain after it (Keras' ZeroPadding2D before a stride-2 convolution).
//
// A node joins a chain only when the chain's previous node feeds nothing but it (one data use,
// of output 0, no control uses) and is not fed, fetched or a target: the fused node takes the
// chain's last node's name, so every reader of the chain's result reads the fused node, and
// nothing read the nodes it replaced. Stateless; thread-safe.
#pragma once

#include <optional>

#include "common/status.h"
#include "runtime/graph.h"
#include "runtime/plan.h"

namespace tern {

// `graph` with every fusable chain replaced, or nullopt when there is none. The result points
// into `graph`, which must outlive it.
StatusOr<std::optional<Graph>> FuseConvolutions(const Graph& graph, const PlanSpec& spec);

}  // namespace tern
