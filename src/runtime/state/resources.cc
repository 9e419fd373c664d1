#include "runtime/state/resources.h"

#include <utility>

namespace tern {

std::string VariableResourceKey(const std::string& container, const std::string& shared_name,
                                const std::string& node_name) {
  return container + "/" + (shared_name.empty() ? node_name : shared_name);
}

StatusOr<Tensor> Variable::Read() const {
  std::shared_ptr<const Tensor> value = Snapshot();
  if (value == nullptr) {
    return FailedPrecondition("variable '" + name_ + "' is read before it was initialised");
  }
  return *value;
}

std::shared_ptr<const Tensor> Variable::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return value_;
}

void Variable::Assign(Tensor value) {
  auto next = std::make_shared<const Tensor>(std::move(value));
  {
    std::lock_guard<std::mutex> lock(mu_);
    value_.swap(next);  // the old value (in `next`) is released after the lock
  }
  writes_->fetch_add(1, std::memory_order_release);
}

Status Variable::Update(const std::function<StatusOr<Tensor>(const Tensor&)>& update) {
  std::shared_ptr<const Tensor> old;
  std::lock_guard<std::mutex> lock(mu_);
  if (value_ == nullptr) {
    return FailedPrecondition("variable '" + name_ + "' is updated before it was initialised");
  }
  TERN_ASSIGN_OR_RETURN(Tensor next, update(*value_));
  old = std::exchange(value_, std::make_shared<const Tensor>(std::move(next)));
  writes_->fetch_add(1, std::memory_order_release);
  return Status::Ok();
}

bool Variable::initialized() const {
  std::lock_guard<std::mutex> lock(mu_);
  return value_ != nullptr;
}

std::shared_ptr<Variable> SessionResources::GetOrCreateVariable(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = variables_[key];
  if (!slot) slot = std::make_shared<Variable>(key, variable_writes_);
  return slot;
}

size_t SessionResources::num_variables() const {
  std::lock_guard<std::mutex> lock(mu_);
  return variables_.size();
}

}  // namespace tern
