// FunctionLibrary: the FunctionDefs of a graph, compiled on demand into Plans and cached.
// Holds pointers into the FunctionDefLibrary, which must outlive it. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "tf/function.pb.h"

namespace tern {

class Plan;
class SessionResources;
class Tensor;

// An argument whose caller passes the same resource handle in every run (a variable the function
// captures): the function's plan binds it at build, so a run neither takes nor copies it.
struct BoundArgument {
  int index = 0;                   // among the function's arguments
  const Tensor* handle = nullptr;  // DT_RESOURCE; owned by the caller's plan, which outlives it
};

class FunctionLibrary {
 public:
  FunctionLibrary(const tensorflow::FunctionDefLibrary& library, SessionResources* resources);
  ~FunctionLibrary();

  const tensorflow::FunctionDef* Find(const std::string& name) const;

  // The (output arg name, count) layout of any node: a registered op, a call op, or a node whose
  // op is itself a library function.
  StatusOr<std::vector<std::pair<std::string, int>>> OutputLayout(
      const tensorflow::NodeDef& node) const;

  // Compiles the function (args are feeds, rets are fetches, control rets are targets) once.
  StatusOr<std::shared_ptr<const Plan>> Instantiate(const std::string& name);
  // The same with `bound` arguments bound (PlanSpec::bound_feeds); the plan's feeds are the other
  // arguments, in order. Compiled once per function and set of bound handles.
  StatusOr<std::shared_ptr<const Plan>> Instantiate(const std::string& name,
                                                    const std::vector<BoundArgument>& bound);

 private:
  std::unordered_map<std::string, const tensorflow::FunctionDef*> functions_;
  SessionResources* resources_;
  std::recursive_mutex mu_;  // Instantiate recurses for nested calls
  std::unordered_map<std::string, std::shared_ptr<const Plan>> plans_;
  std::vector<std::string> in_progress_;
};

}  // namespace tern
