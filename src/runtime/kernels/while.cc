// While and StatelessWhile: loop-carried values (attr T) go through `cond` until it is false,
// replaced each time by the results of `body`. Shapes may change between iterations; TensorLists
// and resource handles are carried like any value. Each iteration runs under the request's
// deadline (Plan::Run checks it before every step, and the loop before every iteration).
#include <chrono>

#include "runtime/kernels/internal/control_flow.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class WhileKernel final : public OpKernel {
 public:
  WhileKernel(FunctionAttr cond, FunctionAttr body)
      : cond_(std::move(cond)), body_(std::move(body)) {}

  Status Compute(KernelContext& ctx) const override {
    std::vector<Tensor> vars;
    vars.reserve(ctx.num_inputs());
    for (int i = 0; i < ctx.num_inputs(); ++i) vars.push_back(ctx.input(i));
    const auto deadline = ctx.options().deadline;
    for (int64_t iteration = 0;; ++iteration) {
      // Also here, not only between the steps of cond and body: functions with no step (a body
      // that hands its arguments back) would otherwise loop past any deadline.
      if (deadline != std::chrono::steady_clock::time_point::max() &&
          std::chrono::steady_clock::now() > deadline) {
        return DeadlineExceeded("deadline passed in iteration " + std::to_string(iteration) +
                                " of '" + ctx.node_name() + "'");
      }
      auto pred = cond_.plan->Run(vars, ctx.options());
      if (!pred.ok())
        return pred.status().WithContext("in the condition of '" + ctx.node_name() + "'");
      if (pred->size() != 1) {
        return ctx.Error("cond function '" + cond_.name + "' returned " +
                         std::to_string(pred->size()) + " values, expected 1");
      }
      TERN_ASSIGN_OR_RETURN(bool go_on, PredicateValue(ctx, (*pred)[0], "the loop condition"));
      if (!go_on) break;
      auto next = body_.plan->Run(vars, ctx.options());
      if (!next.ok()) {
        return next.status().WithContext("in iteration " + std::to_string(iteration) + " of '" +
                                         ctx.node_name() + "'");
      }
      if (next->size() != vars.size()) {
        return ctx.Error("body function '" + body_.name + "' returned " +
                         std::to_string(next->size()) + " values for " +
                         std::to_string(vars.size()) + " loop variables");
      }
      for (size_t i = 0; i < vars.size(); ++i) {
        if ((*next)[i].dtype() != vars[i].dtype()) {
          return ctx.Error("body function '" + body_.name + "' changed loop variable " +
                           std::to_string(i) + " from " + DataTypeName(vars[i].dtype()) + " to " +
                           DataTypeName((*next)[i].dtype()));
        }
      }
      vars = std::move(next).value();
    }
    if (static_cast<int>(vars.size()) != ctx.num_outputs()) {
      return ctx.Error("has " + std::to_string(vars.size()) + " loop variables but " +
                       std::to_string(ctx.num_outputs()) + " outputs");
    }
    for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, std::move(vars[i]));
    return Status::Ok();
  }

 private:
  const FunctionAttr cond_;
  const FunctionAttr body_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateWhileKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(FunctionAttr cond, InstantiateFunctionAttr(c, "cond"));
  TERN_ASSIGN_OR_RETURN(FunctionAttr body, InstantiateFunctionAttr(c, "body"));
  const int n = c.num_inputs();
  if (cond.num_args != n || body.num_args != n || body.num_rets != n || cond.num_rets != 1) {
    return c.Error("with " + std::to_string(n) + " loop variables, cond '" + cond.name +
                   "' takes " + std::to_string(cond.num_args) + " and returns " +
                   std::to_string(cond.num_rets) + " values, body '" + body.name + "' takes " +
                   std::to_string(body.num_args) + " and returns " + std::to_string(body.num_rets) +
                   "; expected " + std::to_string(n) + " -> 1 and " + std::to_string(n) + " -> " +
                   std::to_string(n));
  }
  return std::unique_ptr<OpKernel>(new WhileKernel(std::move(cond), std::move(body)));
}

}  // namespace tern
