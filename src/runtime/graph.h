// Graph: a GraphDef or a FunctionDef body with every input resolved to (node, output index).
// Holds pointers into the GraphDef/FunctionDef it was built from, which must outlive it.
// Immutable after construction; thread-safe to read.
#pragma once

#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "tf/function.pb.h"
#include "tf/graph.pb.h"

namespace tern {

struct TensorId {
  int node = -1;
  int output = 0;
};

struct GraphNode {
  const tensorflow::NodeDef* def = nullptr;
  std::vector<TensorId> inputs;  // data inputs, in order
  std::vector<int> control_inputs;
};

class FunctionLibrary;

class Graph {
 public:
  static StatusOr<Graph> FromGraphDef(const tensorflow::GraphDef& graph_def);
  // Function arguments become nodes of op "_Arg" named after the argument; `library` resolves
  // the output-arg layout of ops called inside the body.
  static StatusOr<Graph> FromFunction(const tensorflow::FunctionDef& function,
                                      const FunctionLibrary& library);

  // This graph with its nodes replaced, for load-time rewrites (runtime/optimize/): `nodes`
  // point into this graph's defs or into `added_defs`, which the new graph owns. This graph
  // must outlive the result; arguments and results stay as they are.
  StatusOr<Graph> WithNodes(std::vector<GraphNode> nodes,
                            std::deque<tensorflow::NodeDef> added_defs) const;

  const std::vector<GraphNode>& nodes() const { return nodes_; }
  const GraphNode& node(int i) const { return nodes_[i]; }
  // -1 when absent.
  int FindNode(const std::string& name) const;
  // "name", "name:k" -> TensorId; NOT_FOUND naming the tensor when the node is absent.
  StatusOr<TensorId> ResolveTensor(const std::string& tensor_name) const;

  // For functions: argument names (node names of the _Arg nodes) in order, and the tensors and
  // control nodes returned.
  const std::vector<std::string>& arg_names() const { return arg_names_; }
  const std::vector<std::string>& ret_tensors() const { return ret_tensors_; }
  const std::vector<std::string>& control_rets() const { return control_rets_; }

 private:
  Status Index();
  // FromFunction's phases: nodes for the arguments and the body; then the body's inputs and
  // the function's results, resolved to nodes.
  void AddFunctionNodes(const tensorflow::FunctionDef& function);
  Status ResolveFunctionRefs(const tensorflow::FunctionDef& function,
                             const FunctionLibrary& library);

  std::vector<GraphNode> nodes_;
  std::unordered_map<std::string, int> by_name_;
  std::deque<tensorflow::NodeDef> owned_defs_;  // synthesised _Arg nodes
  std::vector<std::string> arg_names_;
  std::vector<std::string> ret_tensors_;
  std::vector<std::string> control_rets_;
};

// Splits "name:k" into ("name", k); "name" gives k = 0.
bool ParseTensorName(const std::string& tensor_name, std::string* node, int* output);

}  // namespace tern
