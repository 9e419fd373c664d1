#include "runtime/state/resources.h"

namespace tern {

std::string VariableResourceKey(const std::string& container, const std::string& shared_name,
                                const std::string& node_name) {
  return container + "/" + (shared_name.empty() ? node_name : shared_name);
}

StatusOr<Tensor> Variable::Read() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!initialized_) {
    return FailedPrecondition("variable '" + name_ + "' is read before it was initialised");
  }
  return value_;
}

void Variable::Assign(Tensor value) {
  std::lock_guard<std::mutex> lock(mu_);
  value_ = std::move(value);
  initialized_ = true;
}

Status Variable::Update(const std::function<StatusOr<Tensor>(const Tensor&)>& update) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!initialized_) {
    return FailedPrecondition("variable '" + name_ + "' is updated before it was initialised");
  }
  TERN_ASSIGN_OR_RETURN(Tensor next, update(value_));
  value_ = std::move(next);
  return Status::Ok();
}

bool Variable::initialized() const {
  std::lock_guard<std::mutex> lock(mu_);
  return initialized_;
}

std::shared_ptr<Variable> SessionResources::GetOrCreateVariable(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = variables_[key];
  if (!slot) slot = std::make_shared<Variable>(key);
  return slot;
}

size_t SessionResources::num_variables() const {
  std::lock_guard<std::mutex> lock(mu_);
  return variables_.size();
}

}  // namespace tern
