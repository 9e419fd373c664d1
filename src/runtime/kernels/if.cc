// If and StatelessIf: runs then_branch or else_branch on the inputs after the predicate
// (TensorFlow's truth value, see internal/control_flow.h). Only the chosen branch runs.
#include "runtime/kernels/internal/control_flow.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class IfKernel final : public OpKernel {
 public:
  IfKernel(FunctionAttr then_branch, FunctionAttr else_branch)
      : then_(std::move(then_branch)), else_(std::move(else_branch)) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_ASSIGN_OR_RETURN(bool pred, PredicateValue(ctx, ctx.input(0), "cond"));
    const FunctionAttr& branch = pred ? then_ : else_;
    std::vector<Tensor> args;
    args.reserve(ctx.num_inputs() - 1);
    for (int i = 1; i < ctx.num_inputs(); ++i) args.push_back(ctx.input(i));
    auto results = branch.plan->Run(args, ctx.options());
    if (!results.ok()) {
      return results.status().WithContext("in branch '" + branch.name + "' of '" + ctx.node_name() +
                                          "'");
    }
    if (static_cast<int>(results->size()) != ctx.num_outputs()) {
      return ctx.Error("branch '" + branch.name + "' returned " + std::to_string(results->size()) +
                       " values, the op has " + std::to_string(ctx.num_outputs()) + " outputs");
    }
    for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, std::move((*results)[i]));
    return Status::Ok();
  }

 private:
  const FunctionAttr then_;
  const FunctionAttr else_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateIfKernel(const KernelConstruction& c) {
  if (c.num_inputs() < 1) return c.Error("expected a cond input");
  TERN_ASSIGN_OR_RETURN(FunctionAttr then_branch, InstantiateFunctionAttr(c, "then_branch"));
  TERN_ASSIGN_OR_RETURN(FunctionAttr else_branch, InstantiateFunctionAttr(c, "else_branch"));
  const int n = c.num_inputs() - 1;
  for (const FunctionAttr* f : {&then_branch, &else_branch}) {
    if (f->num_args != n) {
      return c.Error("branch '" + f->name + "' takes " + std::to_string(f->num_args) +
                     " arguments but the op passes " + std::to_string(n));
    }
  }
  return std::unique_ptr<OpKernel>(new IfKernel(std::move(then_branch), std::move(else_branch)));
}

}  // namespace tern
