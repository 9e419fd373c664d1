// VarHandleOp: a handle to the session's resource variable named by attr shared_name.
#include "runtime/kernels/kernels.h"
#include "runtime/resources.h"

namespace tern {
namespace {

class VarHandleKernel final : public OpKernel {
 public:
  explicit VarHandleKernel(std::shared_ptr<Variable> variable)
      : handle_(Tensor::FromResource(std::move(variable))) {}
  Status Compute(KernelContext& ctx) const override {
    ctx.set_output(0, handle_);
    return Status::Ok();
  }

 private:
  const Tensor handle_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateVarHandleOpKernel(const KernelConstruction& c) {
  std::string shared_name = c.GetStringAttrOr("shared_name", "");
  if (shared_name.empty()) shared_name = c.name();
  const std::string key = c.GetStringAttrOr("container", "") + "/" + shared_name;
  return std::unique_ptr<OpKernel>(new VarHandleKernel(c.resources()->GetOrCreateVariable(key)));
}

}  // namespace tern
