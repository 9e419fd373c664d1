// VariableV2 (TF1 ref variable): outputs a reference to the session's variable. Consumers that
// want the value get it dereferenced by the plan; Assign receives the reference itself.
#include "runtime/kernels/kernels.h"
#include "runtime/state/resources.h"

namespace tern {
namespace {

class VariableV2Kernel final : public OpKernel {
 public:
  explicit VariableV2Kernel(std::shared_ptr<Variable> variable)
      : ref_(Tensor::FromResource(std::move(variable))) {}
  Status Compute(KernelContext& ctx) const override {
    ctx.set_output(0, ref_);
    return Status::Ok();
  }

 private:
  const Tensor ref_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateVariableV2Kernel(const KernelConstruction& c) {
  std::string shared_name = c.GetStringAttrOr("shared_name", "");
  if (shared_name.empty()) shared_name = c.name();
  const std::string key = "ref:" + c.GetStringAttrOr("container", "") + "/" + shared_name;
  return std::unique_ptr<OpKernel>(new VariableV2Kernel(c.resources()->GetOrCreateVariable(key)));
}

}  // namespace tern
