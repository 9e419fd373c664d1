// Session: a graph with its variables and function library, runnable by tensor names.
// Owns the GraphDef it runs. Plans are built on first use of a feed/fetch/target combination
// and cached; Run is thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/function_library.h"
#include "runtime/graph.h"
#include "runtime/plan.h"
#include "runtime/state/resources.h"
#include "tf/graph.pb.h"

namespace tern {

class Session {
 public:
  static StatusOr<std::unique_ptr<Session>> Create(tensorflow::GraphDef graph_def);

  // Builds (or finds) the plan for this spec; load-time callers use it to fail early.
  StatusOr<std::shared_ptr<const Plan>> Prepare(const PlanSpec& spec);

  StatusOr<std::vector<Tensor>> Run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                    const std::vector<std::string>& fetches,
                                    const std::vector<std::string>& targets,
                                    const RunOptions& options);

  const tensorflow::GraphDef& graph_def() const { return graph_def_; }
  const Graph& graph() const { return graph_; }
  SessionResources& resources() { return *resources_; }

 private:
  Session() = default;

  tensorflow::GraphDef graph_def_;
  Graph graph_;
  std::unique_ptr<SessionResources> resources_;
  std::unique_ptr<FunctionLibrary> functions_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Plan>> plans_;
};

}  // namespace tern
