// Const: the tensor in attr "value", parsed once at load and shared by every run.
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class ConstKernel final : public OpKernel {
 public:
  explicit ConstKernel(Tensor value) : value_(std::move(value)) {}
  Status Compute(KernelContext& ctx) const override {
    ctx.set_output(0, value_);
    return Status::Ok();
  }

 private:
  const Tensor value_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateConstKernel(const KernelConstruction& c) {
  ASSIGN_OR_RETURN(Tensor value, c.GetTensorAttr("value"));
  return std::unique_ptr<OpKernel>(new ConstKernel(std::move(value)));
}

}  // namespace tern
