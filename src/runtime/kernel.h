// The kernel interface: how an op is built once at load time and run per request.
// A kernel object is created when a Plan is built (all attribute parsing and validation happens
// then) and is shared by every concurrent Run of that plan: Compute must be const and
// thread-safe. Per-run data lives in the KernelContext.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/tensor.h"
#include "tf/attr_value.pb.h"
#include "tf/node_def.pb.h"

namespace tern {

class SessionResources;
class FunctionLibrary;
class Plan;

// Opt-in per-op profile of runs (benchmarks and profiling only): wall time and calls summed by op
// type, or by node ("<op> <node name>"). A function-call op's time includes its body's ops, which
// are also counted on their own. Owned by the caller; not thread-safe, so give each concurrent run
// its own.
struct OpTimings {
  enum class Key { kOpType, kNode };
  struct Entry {
    double seconds = 0;
    int64_t calls = 0;
  };
  Key key = Key::kOpType;
  std::map<std::string, Entry> by_op;
};

// Per-run options shared by every step of a run, including nested function calls.
struct RunOptions {
  // Steps stop with DEADLINE_EXCEEDED once this passes. time_point::max() means none.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // When set, every step's Compute is timed into it.
  OpTimings* op_timings = nullptr;
  // The account the run's tensors are charged to. Null: a run outside any other gets its own,
  // with TensorMemory::RunLimitBytes(); a run inside another (a function call) shares it.
  std::shared_ptr<RunMemory> memory;
};

// What a kernel sees while it is being built. Not owned by the kernel; valid only during Create.
class KernelConstruction {
 public:
  KernelConstruction(const tensorflow::NodeDef& node, int num_data_inputs,
                     SessionResources* resources, FunctionLibrary* functions)
      : node_(node), num_inputs_(num_data_inputs), resources_(resources), functions_(functions) {}

  const tensorflow::NodeDef& node() const { return node_; }
  const std::string& name() const { return node_.name(); }
  const std::string& op() const { return node_.op(); }
  int num_inputs() const { return num_inputs_; }
  SessionResources* resources() const { return resources_; }
  FunctionLibrary* functions() const { return functions_; }
  // Input i's value when it is the same in every run (a Const, a variable handle, an argument
  // bound at build), else null. Owned by the plan being built, which outlives the kernel.
  const Tensor* constant_input(int i) const {
    return i < static_cast<int>(constant_inputs_.size()) ? constant_inputs_[i] : nullptr;
  }
  void set_constant_inputs(std::vector<const Tensor*> inputs) {
    constant_inputs_ = std::move(inputs);
  }

  bool HasAttr(std::string_view name) const;
  const tensorflow::AttrValue* FindAttr(std::string_view name) const;
  StatusOr<DataType> GetTypeAttr(std::string_view name) const;
  StatusOr<int64_t> GetIntAttr(std::string_view name) const;
  StatusOr<float> GetFloatAttr(std::string_view name) const;
  StatusOr<std::string> GetStringAttr(std::string_view name) const;
  bool GetBoolAttrOr(std::string_view name, bool fallback) const;
  std::string GetStringAttrOr(std::string_view name, std::string fallback) const;
  StatusOr<std::vector<DataType>> GetTypeListAttr(std::string_view name) const;
  StatusOr<std::vector<int64_t>> GetIntListAttr(std::string_view name) const;
  StatusOr<std::vector<std::string>> GetStringListAttr(std::string_view name) const;
  // Shapes from a list(shape) attr; unknown dims are -1, unknown rank is an empty optional.
  StatusOr<std::vector<std::vector<int64_t>>> GetShapeListAttr(std::string_view name) const;
  StatusOr<Tensor> GetTensorAttr(std::string_view name) const;

  // INVALID_ARGUMENT naming this node and op.
  Status Error(std::string_view message) const;

 private:
  const tensorflow::NodeDef& node_;
  int num_inputs_;
  SessionResources* resources_;
  FunctionLibrary* functions_;
  std::vector<const Tensor*> constant_inputs_;
};

// What a kernel sees while it runs: its inputs and output slots for this run.
class KernelContext {
 public:
  KernelContext(const std::string& node_name, const std::string& op, const Tensor* const* inputs,
                int num_inputs, Tensor* outputs, int num_outputs, const RunOptions& options,
                SessionResources* resources)
      : node_name_(node_name),
        op_(op),
        inputs_(inputs),
        num_inputs_(num_inputs),
        outputs_(outputs),
        num_outputs_(num_outputs),
        options_(options),
        resources_(resources) {}

  int num_inputs() const { return num_inputs_; }
  const Tensor& input(int i) const { return *inputs_[i]; }
  int num_outputs() const { return num_outputs_; }
  void set_output(int i, Tensor tensor) { outputs_[i] = std::move(tensor); }
  // Allocates an output (checked shape; zero-filled unless kUnset, for a kernel that writes every
  // element) and returns a pointer to it.
  StatusOr<Tensor*> AllocateOutput(int i, DataType dtype, TensorShape shape,
                                   Tensor::Contents contents = Tensor::Contents::kZeros);

  const RunOptions& options() const { return options_; }
  SessionResources* resources() const { return resources_; }
  const std::string& node_name() const { return node_name_; }
  const std::string& op() const { return op_; }

  // INVALID_ARGUMENT naming this node and op; use for bad input data.
  Status Error(std::string_view message) const;

 private:
  const std::string& node_name_;
  const std::string& op_;
  const Tensor* const* inputs_;
  int num_inputs_;
  Tensor* outputs_;
  int num_outputs_;
  const RunOptions& options_;
  SessionResources* resources_;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual Status Compute(KernelContext& ctx) const = 0;
  // The one output of a kernel that has no inputs and gives the same tensor on every run
  // (Const, VarHandleOp), owned by the kernel; null for every other kernel. A plan binds the
  // readers of such a node to it once, at build time, and runs no step for it.
  virtual const Tensor* FixedOutput() const { return nullptr; }
};

using KernelFactory = StatusOr<std::unique_ptr<OpKernel>> (*)(const KernelConstruction&);

// Wraps a plain function as a kernel with no construction-time state.
template <Status (*Fn)(KernelContext&)>
class FunctionKernel final : public OpKernel {
 public:
  Status Compute(KernelContext& ctx) const override { return Fn(ctx); }
  static StatusOr<std::unique_ptr<OpKernel>> Create(const KernelConstruction&) {
    return std::unique_ptr<OpKernel>(new FunctionKernel());
  }
};

}  // namespace tern
