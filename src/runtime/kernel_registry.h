// The explicit table of every op Tern can run (src/runtime/kernels/registry.cc).
// Immutable after static initialisation of the table; thread-safe to read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/kernel.h"
#include "tf/node_def.pb.h"

namespace tern {

// One output argument of an op, as TensorFlow's OpDef names it. Function bodies refer to
// outputs as "node:arg_name:index", so names matter for ops with several output args.
struct OutputArg {
  std::string_view name;
  // "" means one tensor; otherwise the attr holding the count (an int attr, or a list attr whose
  // length is the count, e.g. a list(type)).
  std::string_view count_attr = "";
};

struct KernelRegistration {
  std::string_view op;
  KernelFactory create;
  std::vector<OutputArg> outputs;
  // Inputs that receive a variable reference (TF1 ref edges) instead of the variable's value.
  std::vector<int> ref_inputs = {};
  // The op's output 0 is a TF1 reference to a variable (VariableV2).
  bool produces_ref = false;
};

const KernelRegistration* FindKernel(std::string_view op);
std::vector<std::string> RegisteredOps();

// Output args of `node` expanded to (name, count) using its attrs.
StatusOr<std::vector<std::pair<std::string, int>>> ExpandOutputArgs(
    const KernelRegistration& registration, const tensorflow::NodeDef& node);

}  // namespace tern
