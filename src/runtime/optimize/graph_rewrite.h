// What the load-time rewrites (runtime/optimize/) share: who reads each node in the plan being
// built, reads through Identity taken from the tensor they forward, constant lookups, and
// replacing a set of nodes with one new node. Stateless helpers; thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/graph.h"
#include "runtime/plan.h"

namespace tern {

// How each node's outputs are used by the nodes the plan runs, and which nodes a rewrite must
// keep as they are.
struct Uses {
  std::vector<bool> needed;                 // the plan runs it
  std::vector<std::vector<TensorId>> data;  // by producer: (consumer, output read)
  std::vector<int> control;                 // by node: how many control uses
  std::vector<bool> pinned;                 // fed, fetched or a target
};

// The uses of `nodes` (the graph's nodes, perhaps with reads bypassed) in the plan for `spec`:
// only nodes the fetches and targets depend on count as readers, so a custom gradient's
// IdentityN or a training op outside the plan does not stop a rewrite.
Uses FindUses(const Graph& graph, const std::vector<GraphNode>& nodes, const PlanSpec& spec);

// The graph's nodes with every read through Identity or IdentityN taken from the tensor it
// forwards (Keras wraps each swish in an IdentityN for its custom gradient, which would count as
// a second reader). Kept: identities that are fed (the feed replaces their output), that wait
// on control inputs, or that read a TF1 reference (an Identity is what dereferences it).
std::vector<GraphNode> BypassIdentities(const Graph& graph, const PlanSpec& spec);

// The one node that reads `node`, when that is all that uses it (its output 0, once, no
// control uses) and `node` is not fed, fetched or a target; else -1.
int SoleConsumer(const Uses& uses, int node);

bool HasTypeAttr(const tensorflow::NodeDef& def, const char* attr, tensorflow::DataType type);
// Attr T is float.
bool IsFloat(const tensorflow::NodeDef& def);

// The value of a float Const with one element (any rank, every dim 1); with `scalar_only`, only
// a rank-0 one (a constant that must not broadcast the other operand to a higher rank).
std::optional<float> ScalarConst(const std::vector<GraphNode>& nodes, TensorId id,
                                 bool scalar_only = false);
// The values of an int32 or int64 Const.
std::optional<std::vector<int64_t>> IntConst(const std::vector<GraphNode>& nodes, TensorId id);

// "name" or "name:k", as a NodeDef input names the tensor.
std::string TensorName(const std::vector<GraphNode>& nodes, TensorId id);

// A graph read for pattern matching. Holds references to its arguments; not thread-safe while
// `claimed` changes.
class PatternView {
 public:
  PatternView(const std::vector<GraphNode>& nodes, const Uses& uses,
              const std::vector<bool>& claimed)
      : nodes_(nodes), uses_(uses), claimed_(claimed) {}

  const GraphNode& node(int i) const { return nodes_[i]; }
  // The node producing `id` when `id` is its output 0 and it is a float `op` with `inputs` data
  // inputs that the plan runs and no rewrite has claimed; else -1.
  int Producer(TensorId id, std::string_view op, size_t inputs) const;
  // `node` itself under the same conditions, or -1.
  int Is(int node, std::string_view op, size_t inputs) const;
  // The operand of the binary `node` beside a rank-0 float Const equal to `value`.
  std::optional<TensorId> OperandBeside(int node, float value) const;

 private:
  const std::vector<GraphNode>& nodes_;
  const Uses& uses_;
  const std::vector<bool>& claimed_;
};

bool SameTensor(TensorId a, TensorId b);

// Whether the nodes of a matched pattern can go: they are distinct (a pattern whose parts met
// the same node is no match), and each of `matched` but the last is read only by nodes of
// `matched` (its output 0, no control uses) and is not fed, fetched or a target.
bool ReadOnlyWithin(const Uses& uses, const std::vector<int>& matched);

// One rewrite: the nodes in `replaced` go, and `def` (inputs `inputs`) takes the place of
// `replaced.back()`, keeping its name, so every reader of that node's output 0 reads the new
// node's. The new node waits on every control input of the nodes it replaces.
struct Rewrite {
  std::vector<int> replaced;
  tensorflow::NodeDef def;
  std::vector<TensorId> inputs;
};

// `graph` with `rewrites` applied to `nodes` (its nodes, perhaps with reads bypassed), and the
// nodes the plan does not run removed. The result points into `graph`, which must outlive it.
StatusOr<Graph> ApplyRewrites(const Graph& graph, std::vector<GraphNode> nodes, const Uses& uses,
                              std::vector<Rewrite> rewrites);

// What a pass looks for: the rewrite of the pattern ending at node `out`, if one does (its
// `replaced` nodes, the last one `out`), reading the graph through the arguments the pass's
// MakeFinder was given.
using RewriteFinder = std::function<std::optional<Rewrite>(int out)>;
using MakeFinder = std::function<RewriteFinder(const std::vector<GraphNode>& nodes,
                                               const Uses& uses, const std::vector<bool>& claimed)>;

// One pattern pass: reads through identities (BypassIdentities), asks the finder at every node
// in order, claims each match's nodes so no later match takes them, and applies the rewrites.
// nullopt when nothing matched. The result points into `graph`, which must outlive it.
StatusOr<std::optional<Graph>> RewriteMatches(const Graph& graph, const PlanSpec& spec,
                                              const MakeFinder& make_finder);

// The same for a finder class constructed from (nodes, uses, claimed), with
// `std::optional<Rewrite> RewriteAt(int out) const`.
template <typename Finder>
StatusOr<std::optional<Graph>> RewriteMatches(const Graph& graph, const PlanSpec& spec) {
  return RewriteMatches(graph, spec,
                        [](const std::vector<GraphNode>& nodes, const Uses& uses,
                           const std::vector<bool>& claimed) -> RewriteFinder {
                          auto finder = std::make_shared<const Finder>(nodes, uses, claimed);
                          return [finder](int out) { return finder->RewriteAt(out); };
                        });
}

}  // namespace tern
