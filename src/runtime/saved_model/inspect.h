// Static inspection of a MetaGraphDef: which ops serving it needs (every signature, the restore
// op and the init op, following calls into library functions) and which of them Tern lacks.
// Used by SavedModel::Load to refuse a model with one message naming every missing op, and by
// `tern inspect`. Pure functions over the proto; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "tf/meta_graph.pb.h"

namespace tern {

struct OpUsage {
  std::string op;
  int nodes = 0;           // how many nodes (graph and function bodies) use it
  std::string first_node;  // "node" or "function/node"
  bool supported = false;  // a kernel, a function call or a library function runs it
};

struct OpInventory {
  std::vector<OpUsage> ops;  // sorted by op name
  std::vector<OpUsage> Unsupported() const;
};

// Ops needed by the signatures (their outputs, stopping at their inputs), the saver's restore op
// and the init op (`__saved_model_init_op`, `saved_model_main_op` or `legacy_init_op`).
OpInventory InventoryOps(const tensorflow::MetaGraphDef& meta_graph);

// Ops the serving signatures alone need: what runs at request time (no restore or init op).
OpInventory InventorySignatureOps(const tensorflow::MetaGraphDef& meta_graph);

// "unsupported ops: If (node 'f/cond' and 2 more), Softmax (node 'dense/Softmax')".
std::string UnsupportedOpsMessage(const std::vector<OpUsage>& unsupported);

}  // namespace tern
