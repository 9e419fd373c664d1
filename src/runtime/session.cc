#include "runtime/session.h"

namespace tern {
namespace {

std::string PlanKey(const PlanSpec& spec) {
  std::string key;
  for (const auto* list : {&spec.feeds, &spec.fetches, &spec.targets}) {
    for (const auto& name : *list) {
      key += name;
      key += ',';
    }
    key += '|';
  }
  return key;
}

}  // namespace

StatusOr<std::unique_ptr<Session>> Session::Create(tensorflow::GraphDef graph_def) {
  auto session = std::unique_ptr<Session>(new Session());
  session->graph_def_ = std::move(graph_def);
  TERN_ASSIGN_OR_RETURN(session->graph_, Graph::FromGraphDef(session->graph_def_));
  session->resources_ = std::make_unique<SessionResources>();
  session->functions_ =
      std::make_unique<FunctionLibrary>(session->graph_def_.library(), session->resources_.get());
  return session;
}

StatusOr<std::shared_ptr<const Plan>> Session::Prepare(const PlanSpec& spec) {
  const std::string key = PlanKey(spec);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = plans_.find(key);
    if (it != plans_.end()) return it->second;
  }
  // Built outside the lock: building can be slow and may run other sessions' work; a race
  // only builds the same immutable plan twice.
  TERN_ASSIGN_OR_RETURN(auto built, Plan::Build(graph_, spec, resources_.get(), functions_.get()));
  std::shared_ptr<const Plan> plan(std::move(built));
  std::lock_guard<std::mutex> lock(mu_);
  return plans_.emplace(key, std::move(plan)).first->second;
}

StatusOr<std::vector<Tensor>> Session::Run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                           const std::vector<std::string>& fetches,
                                           const std::vector<std::string>& targets,
                                           const RunOptions& options) {
  PlanSpec spec;
  std::vector<Tensor> values;
  for (const auto& [name, tensor] : feeds) {
    spec.feeds.push_back(name);
    values.push_back(tensor);
  }
  spec.fetches = fetches;
  spec.targets = targets;
  TERN_ASSIGN_OR_RETURN(auto plan, Prepare(spec));
  return plan->Run(values, options);
}

}  // namespace tern
