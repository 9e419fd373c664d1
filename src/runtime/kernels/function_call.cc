// StatefulPartitionedCall / PartitionedCall, and nodes whose op is a library function:
// runs the function's compiled plan with the node's inputs as arguments.
#include "runtime/function_library.h"
#include "runtime/kernels/kernels.h"
#include "runtime/plan.h"

namespace tern {
namespace {

class FunctionCallKernel final : public OpKernel {
 public:
  // `passed`: the node's inputs that the plan takes, in order (the others are bound in it).
  FunctionCallKernel(std::string function, std::shared_ptr<const Plan> plan,
                     std::vector<int> passed)
      : function_(std::move(function)), plan_(std::move(plan)), passed_(std::move(passed)) {}

  Status Compute(KernelContext& ctx) const override {
    std::vector<Tensor> args;
    args.reserve(passed_.size());
    for (int i : passed_) args.push_back(ctx.input(i));
    auto results = plan_->Run(args, ctx.options());
    if (!results.ok()) return results.status();
    if (static_cast<int>(results->size()) != ctx.num_outputs()) {
      return ctx.Error("function '" + function_ + "' returned " + std::to_string(results->size()) +
                       " values, the call expects " + std::to_string(ctx.num_outputs()));
    }
    for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, std::move((*results)[i]));
    return Status::Ok();
  }

 private:
  const std::string function_;
  const std::shared_ptr<const Plan> plan_;
  const std::vector<int> passed_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFunctionCallKernel(const KernelConstruction& c,
                                                             const std::string& function) {
  if (c.functions() == nullptr) return c.Error("no function library to call '" + function + "'");
  // Handles the caller passes unchanged in every run (the variables a TF2 function captures,
  // hundreds in a CNN) are bound into the callee's plan instead of copied in at each call.
  std::vector<BoundArgument> bound;
  std::vector<int> passed;
  for (int i = 0; i < c.num_inputs(); ++i) {
    const Tensor* constant = c.constant_input(i);
    if (constant != nullptr && constant->dtype() == tensorflow::DT_RESOURCE &&
        constant->resource() != nullptr) {
      bound.push_back({.index = i, .handle = constant});
    } else {
      passed.push_back(i);
    }
  }
  TERN_ASSIGN_OR_RETURN(auto plan, c.functions()->Instantiate(function, bound));
  return std::unique_ptr<OpKernel>(
      new FunctionCallKernel(function, std::move(plan), std::move(passed)));
}

}  // namespace tern
