#include "runtime/saved_model/inspect.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "runtime/kernel_registry.h"

namespace tern {
namespace {

constexpr char kInitOpSignature[] = "__saved_model_init_op";

std::string NodeOf(const std::string& input) {
  std::string s = input[0] == '^' ? input.substr(1) : input;
  return s.substr(0, s.find(':'));
}

// "a" and "a:0" are the same tensor; control inputs are never fed.
std::string CanonicalTensor(const std::string& input) {
  if (input[0] == '^' || input.find(':') != std::string::npos) return input;
  return input + ":0";
}

class Walker {
 public:
  explicit Walker(const tensorflow::MetaGraphDef& meta) {
    for (const auto& n : meta.graph_def().node()) nodes_[n.name()] = &n;
    for (const auto& f : meta.graph_def().library().function())
      functions_[f.signature().name()] = &f;
  }

  void Walk(const std::vector<std::string>& targets, const std::set<std::string>& fed) {
    std::vector<std::string> stack;
    for (const auto& t : targets) {
      if (!fed.count(CanonicalTensor(t))) stack.push_back(NodeOf(t));
    }
    while (!stack.empty()) {
      std::string name = stack.back();
      stack.pop_back();
      if (!visited_graph_.insert(name).second) continue;
      auto it = nodes_.find(name);
      if (it == nodes_.end()) continue;  // a dangling name fails later, at plan time
      Count(*it->second, name);
      for (const auto& in : it->second->input()) {
        if (in[0] != '^' && fed.count(CanonicalTensor(in))) continue;
        stack.push_back(NodeOf(in));
      }
    }
  }

  std::vector<OpUsage> Result() const {
    std::vector<OpUsage> out;
    for (const auto& [op, usage] : usage_) out.push_back(usage);
    return out;  // std::map keeps them sorted by op
  }

 private:
  void Count(const tensorflow::NodeDef& node, const std::string& where) {
    OpUsage& u = usage_[node.op()];
    if (u.nodes++ == 0) {
      u.op = node.op();
      u.first_node = where;
      u.supported = FindKernel(node.op()) != nullptr || node.op() == "StatefulPartitionedCall" ||
                    node.op() == "PartitionedCall" || functions_.count(node.op()) > 0;
    }
    if (functions_.count(node.op())) WalkFunction(node.op());
    for (const auto& [key, value] : node.attr()) {
      if (value.has_func()) WalkFunction(value.func().name());
      if (value.has_list()) {
        for (const auto& f : value.list().func()) WalkFunction(f.name());
      }
    }
  }

  void WalkFunction(const std::string& name) {
    auto fit = functions_.find(name);
    if (fit == functions_.end() || !visited_functions_.insert(name).second) return;
    const tensorflow::FunctionDef& f = *fit->second;
    std::unordered_map<std::string, const tensorflow::NodeDef*> body;
    for (const auto& n : f.node_def()) body[n.name()] = &n;
    std::vector<std::string> stack;
    for (const auto& [k, v] : f.ret()) stack.push_back(NodeOf(v));
    for (const auto& [k, v] : f.control_ret()) stack.push_back(v);
    std::set<std::string> seen;
    while (!stack.empty()) {
      std::string n = stack.back();
      stack.pop_back();
      auto it = body.find(n);
      if (it == body.end() || !seen.insert(n).second) continue;  // arguments are not nodes
      Count(*it->second, name + "/" + n);
      for (const auto& in : it->second->input()) stack.push_back(NodeOf(in));
    }
  }

  std::unordered_map<std::string, const tensorflow::NodeDef*> nodes_;
  std::unordered_map<std::string, const tensorflow::FunctionDef*> functions_;
  std::set<std::string> visited_graph_;
  std::set<std::string> visited_functions_;
  std::map<std::string, OpUsage> usage_;
};

}  // namespace

std::vector<OpUsage> OpInventory::Unsupported() const {
  std::vector<OpUsage> out;
  for (const auto& u : ops) {
    if (!u.supported) out.push_back(u);
  }
  return out;
}

namespace {

void WalkSignatures(const tensorflow::MetaGraphDef& meta, Walker* walker) {
  for (const auto& [name, sig] : meta.signature_def()) {
    if (name == kInitOpSignature) continue;
    std::set<std::string> fed;
    std::vector<std::string> targets;
    for (const auto& [k, info] : sig.inputs()) fed.insert(CanonicalTensor(info.name()));
    for (const auto& [k, info] : sig.outputs()) targets.push_back(info.name());
    walker->Walk(targets, fed);
  }
}

}  // namespace

OpInventory InventorySignatureOps(const tensorflow::MetaGraphDef& meta) {
  Walker walker(meta);
  WalkSignatures(meta, &walker);
  return OpInventory{walker.Result()};
}

OpInventory InventoryOps(const tensorflow::MetaGraphDef& meta) {
  Walker walker(meta);
  WalkSignatures(meta, &walker);
  if (!meta.saver_def().restore_op_name().empty()) {
    walker.Walk({meta.saver_def().restore_op_name()},
                {CanonicalTensor(meta.saver_def().filename_tensor_name())});
  }
  std::vector<std::string> init;
  auto sig = meta.signature_def().find(kInitOpSignature);
  if (sig != meta.signature_def().end()) {
    for (const auto& [k, info] : sig->second.outputs()) init.push_back(info.name());
  } else {
    for (const char* collection : {"saved_model_main_op", "legacy_init_op"}) {
      auto it = meta.collection_def().find(collection);
      if (it == meta.collection_def().end()) continue;
      for (const auto& v : it->second.node_list().value()) init.push_back(v);
    }
  }
  if (!init.empty()) {
    std::set<std::string> fed;  // the loader feeds asset paths
    for (const auto& a : meta.asset_file_def()) fed.insert(CanonicalTensor(a.tensor_info().name()));
    auto assets = meta.collection_def().find("asset_filepaths");
    if (assets != meta.collection_def().end()) {
      for (const auto& v : assets->second.node_list().value()) fed.insert(CanonicalTensor(v));
    }
    walker.Walk(init, fed);
  }
  return OpInventory{walker.Result()};
}

std::string UnsupportedOpsMessage(const std::vector<OpUsage>& unsupported) {
  std::string message = "unsupported ops: ";
  for (size_t i = 0; i < unsupported.size(); ++i) {
    const OpUsage& u = unsupported[i];
    message += (i ? ", " : "") + u.op + " (node '" + u.first_node + "'";
    if (u.nodes > 1) message += " and " + std::to_string(u.nodes - 1) + " more";
    message += ")";
  }
  return message;
}

}  // namespace tern
