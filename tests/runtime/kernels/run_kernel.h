// What the kernel tests share: a NodeDef for an op, and running its registered kernel once,
// as a plan runs it (denormals flushed), outside any graph.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/tensor.h"
#include "tf/node_def.pb.h"

namespace tern {

// A node named "n" of `op`, no attrs.
tensorflow::NodeDef MakeNode(const std::string& op);

// Builds the kernel for `node` and runs it once on `inputs`; every output must be set.
StatusOr<std::vector<Tensor>> RunKernel(const tensorflow::NodeDef& node,
                                        const std::vector<Tensor>& inputs);

}  // namespace tern
