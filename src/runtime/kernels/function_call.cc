// StatefulPartitionedCall / PartitionedCall, and nodes whose op is a library function:
// runs the function's compiled plan with the node's inputs as arguments.
#include "runtime/function_library.h"
#include "runtime/kernels/kernels.h"
#include "runtime/plan.h"

namespace tern {
namespace {

class FunctionCallKernel final : public OpKernel {
 public:
  FunctionCallKernel(std::string function, std::shared_ptr<const Plan> plan)
      : function_(std::move(function)), plan_(std::move(plan)) {}

  Status Compute(KernelContext& ctx) const override {
    std::vector<Tensor> args;
    args.reserve(ctx.num_inputs());
    for (int i = 0; i < ctx.num_inputs(); ++i) args.push_back(ctx.input(i));
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
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFunctionCallKernel(const KernelConstruction& c,
                                                             const std::string& function) {
  if (c.functions() == nullptr) return c.Error("no function library to call '" + function + "'");
  TERN_ASSIGN_OR_RETURN(auto plan, c.functions()->Instantiate(function));
  return std::unique_ptr<OpKernel>(new FunctionCallKernel(function, std::move(plan)));
}

}  // namespace tern
