// Per-model mutable state: variables (TF1 ref and TF2 resource variables) and named resources
// such as lookup tables. Owned by the Session, shared by all its runs. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "runtime/tensor.h"

namespace tern {

// Counts the assigns and updates of a set of variables (a session's), each after it takes effect:
// values read while the count stays the same are still current.
using VariableWrites = std::atomic<uint64_t>;

class Variable final : public Resource {
 public:
  // `writes` is shared with the other variables of a session; by default the variable's own.
  explicit Variable(std::string name,
                    std::shared_ptr<VariableWrites> writes = std::make_shared<VariableWrites>(0))
      : name_(std::move(name)), writes_(std::move(writes)) {}
  std::string TypeName() const override { return "Variable"; }
  const std::string& name() const { return name_; }

  // FAILED_PRECONDITION naming the variable until it has been assigned.
  StatusOr<Tensor> Read() const;
  // The current value itself, shared (no Tensor copy: what a plan's variable reads bind their
  // readers to); null until assigned. An assign publishes a new tensor and never touches this one.
  std::shared_ptr<const Tensor> Snapshot() const;
  // Publishes a new value; readers holding the old tensor keep it unchanged.
  void Assign(Tensor value);
  // Replaces the value with update(current value) under the lock, so concurrent updates
  // (AssignAdd) are not lost. FAILED_PRECONDITION if uninitialised; update's error is returned.
  Status Update(const std::function<StatusOr<Tensor>(const Tensor&)>& update);
  bool initialized() const;
  const VariableWrites& writes() const { return *writes_; }

 private:
  const std::string name_;
  const std::shared_ptr<VariableWrites> writes_;
  mutable std::mutex mu_;
  std::shared_ptr<const Tensor> value_;  // null until assigned; replaced, never mutated
};

// The SessionResources key of a resource variable (VarHandleOp): its container and shared_name,
// the node's name when shared_name is empty, as TensorFlow resolves it.
std::string VariableResourceKey(const std::string& container, const std::string& shared_name,
                                const std::string& node_name);

class SessionResources {
 public:
  // Returns the variable for `key`, creating it (uninitialised) on first use.
  std::shared_ptr<Variable> GetOrCreateVariable(const std::string& key);

  // Generic named resources (lookup tables, ...): returns the existing one or the result of
  // `create()`.
  template <typename T, typename Factory>
  std::shared_ptr<T> GetOrCreate(const std::string& key, Factory create) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = others_[key];
    if (!slot) slot = create();
    return std::dynamic_pointer_cast<T>(slot);
  }

  size_t num_variables() const;

 private:
  mutable std::mutex mu_;
  const std::shared_ptr<VariableWrites> variable_writes_ = std::make_shared<VariableWrites>(0);
  std::unordered_map<std::string, std::shared_ptr<Variable>> variables_;
  std::unordered_map<std::string, std::shared_ptr<Resource>> others_;
};

}  // namespace tern
