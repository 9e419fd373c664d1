#include "runtime/graph.h"

#include <charconv>

#include "runtime/function_library.h"

namespace tern {

bool ParseTensorName(const std::string& tensor_name, std::string* node, int* output) {
  auto colon = tensor_name.rfind(':');
  if (colon == std::string::npos) {
    *node = tensor_name;
    *output = 0;
    return true;
  }
  int k = 0;
  const char* begin = tensor_name.data() + colon + 1;
  const char* end = tensor_name.data() + tensor_name.size();
  auto [ptr, ec] = std::from_chars(begin, end, k);
  if (ec != std::errc() || ptr != end || begin == end || k < 0) return false;
  *node = tensor_name.substr(0, colon);
  *output = k;
  return true;
}

Status Graph::Index() {
  by_name_.reserve(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!by_name_.emplace(nodes_[i].def->name(), static_cast<int>(i)).second) {
      return InvalidArgument("graph has two nodes named '" + nodes_[i].def->name() + "'");
    }
  }
  return Status::Ok();
}

StatusOr<Graph> Graph::WithNodes(std::vector<GraphNode> nodes,
                                 std::deque<tensorflow::NodeDef> added_defs) const {
  Graph g;
  g.nodes_ = std::move(nodes);
  g.owned_defs_ = std::move(added_defs);  // a deque's move keeps its elements where they are
  g.arg_names_ = arg_names_;
  g.ret_tensors_ = ret_tensors_;
  g.control_rets_ = control_rets_;
  TERN_RETURN_IF_ERROR(g.Index());
  return g;
}

int Graph::FindNode(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? -1 : it->second;
}

StatusOr<TensorId> Graph::ResolveTensor(const std::string& tensor_name) const {
  std::string node;
  int output = 0;
  if (!ParseTensorName(tensor_name, &node, &output)) {
    return InvalidArgument("malformed tensor name '" + tensor_name + "'");
  }
  int index = FindNode(node);
  if (index < 0) return NotFound("no node named '" + node + "' for tensor '" + tensor_name + "'");
  return TensorId{index, output};
}

StatusOr<Graph> Graph::FromGraphDef(const tensorflow::GraphDef& graph_def) {
  Graph g;
  g.nodes_.resize(graph_def.node_size());
  for (int i = 0; i < graph_def.node_size(); ++i) g.nodes_[i].def = &graph_def.node(i);
  TERN_RETURN_IF_ERROR(g.Index());
  for (auto& n : g.nodes_) {
    for (const std::string& input : n.def->input()) {
      if (!input.empty() && input[0] == '^') {
        int c = g.FindNode(input.substr(1));
        if (c < 0) {
          return InvalidArgument("node '" + n.def->name() +
                                 "' has control input from unknown node '" + input.substr(1) + "'");
        }
        n.control_inputs.push_back(c);
        continue;
      }
      auto id = g.ResolveTensor(input);
      if (!id.ok()) return id.status().WithContext("input of node '" + n.def->name() + "'");
      n.inputs.push_back(*id);
    }
  }
  return g;
}

namespace {

// Body references are "arg", "node:out_arg:index" or "^node"; Resolve flattens the first two
// to output indices (caching each node's output-arg layout).
class FunctionRefResolver {
 public:
  FunctionRefResolver(const Graph& graph, const FunctionLibrary& library)
      : graph_(graph), library_(library) {}

  StatusOr<TensorId> Resolve(const std::string& ref) {
    auto first = ref.find(':');
    if (first == std::string::npos) {
      int node = graph_.FindNode(ref);
      if (node < 0) return NotFound("unknown tensor '" + ref + "'");
      return TensorId{node, 0};
    }
    auto second = ref.find(':', first + 1);
    std::string node_name = ref.substr(0, first);
    int node = graph_.FindNode(node_name);
    if (node < 0) return NotFound("unknown node '" + node_name + "' in '" + ref + "'");
    if (second == std::string::npos) {
      return InvalidArgument("function reference '" + ref + "' lacks an output index");
    }
    std::string arg_name = ref.substr(first + 1, second - first - 1);
    int index = 0;
    const char* b = ref.data() + second + 1;
    const char* e = ref.data() + ref.size();
    auto [p, ec] = std::from_chars(b, e, index);
    if (ec != std::errc() || p != e) return InvalidArgument("malformed reference '" + ref + "'");
    return Flatten(ref, node, arg_name, index);
  }

 private:
  // Output `index` of output arg `arg_name` of `node` as a flat output index.
  StatusOr<TensorId> Flatten(const std::string& ref, int node, const std::string& arg_name,
                             int index) {
    auto it = layouts_.find(node);
    if (it == layouts_.end()) {
      TERN_ASSIGN_OR_RETURN(auto layout, library_.OutputLayout(*graph_.node(node).def));
      it = layouts_.emplace(node, std::move(layout)).first;
    }
    const auto& layout = it->second;
    if (layout.size() == 1) return TensorId{node, index};
    int offset = 0;
    for (const auto& [name, count] : layout) {
      if (name == arg_name) {
        if (index >= count) break;
        return TensorId{node, offset + index};
      }
      offset += count;
    }
    return InvalidArgument("reference '" + ref + "': op " + graph_.node(node).def->op() +
                           " has no output '" + arg_name + "' with index " + std::to_string(index));
  }

  const Graph& graph_;
  const FunctionLibrary& library_;
  std::unordered_map<int, std::vector<std::pair<std::string, int>>> layouts_;
};

}  // namespace

StatusOr<Graph> Graph::FromFunction(const tensorflow::FunctionDef& function,
                                    const FunctionLibrary& library) {
  Graph g;
  g.AddFunctionNodes(function);
  TERN_RETURN_IF_ERROR(g.Index());
  TERN_RETURN_IF_ERROR(g.ResolveFunctionRefs(function, library));
  return g;
}

void Graph::AddFunctionNodes(const tensorflow::FunctionDef& function) {
  const auto& signature = function.signature();
  for (int i = 0; i < signature.input_arg_size(); ++i) {
    tensorflow::NodeDef& arg = owned_defs_.emplace_back();
    arg.set_name(signature.input_arg(i).name());
    arg.set_op("_Arg");
    (*arg.mutable_attr())["index"].set_i(i);
    arg_names_.push_back(arg.name());
  }
  const size_t num_args = owned_defs_.size();
  nodes_.resize(num_args + function.node_def_size());
  for (size_t i = 0; i < num_args; ++i) nodes_[i].def = &owned_defs_[i];
  for (int i = 0; i < function.node_def_size(); ++i) {
    nodes_[num_args + i].def = &function.node_def(i);
  }
}

// The body's inputs, then the results in output-arg order (rewritten to "node:k" form) and
// the control results.
Status Graph::ResolveFunctionRefs(const tensorflow::FunctionDef& function,
                                  const FunctionLibrary& library) {
  const auto& signature = function.signature();
  FunctionRefResolver resolver(*this, library);
  for (size_t i = owned_defs_.size(); i < nodes_.size(); ++i) {
    GraphNode& n = nodes_[i];
    for (const std::string& input : n.def->input()) {
      if (!input.empty() && input[0] == '^') {
        int c = FindNode(input.substr(1));
        if (c < 0) return InvalidArgument("unknown control input '" + input + "'");
        n.control_inputs.push_back(c);
        continue;
      }
      auto id = resolver.Resolve(input);
      if (!id.ok()) {
        return id.status().WithContext("function '" + signature.name() + "', node '" +
                                       n.def->name() + "'");
      }
      n.inputs.push_back(*id);
    }
  }
  for (const auto& out : signature.output_arg()) {
    auto it = function.ret().find(out.name());
    if (it == function.ret().end()) {
      return InvalidArgument("function '" + signature.name() + "' has no ret for output '" +
                             out.name() + "'");
    }
    auto id = resolver.Resolve(it->second);
    if (!id.ok()) return id.status().WithContext("function '" + signature.name() + "' ret");
    ret_tensors_.push_back(nodes_[id->node].def->name() + ":" + std::to_string(id->output));
  }
  for (const auto& name : signature.control_output()) {
    auto it = function.control_ret().find(name);
    if (it != function.control_ret().end()) control_rets_.push_back(it->second);
  }
  return Status::Ok();
}

}  // namespace tern
