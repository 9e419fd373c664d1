// LogicalNot: !x for a bool tensor.
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeLogicalNot(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != tensorflow::DT_BOOL) {
    return ctx.Error("x must be bool, got " + DataTypeName(x.dtype()));
  }
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, tensorflow::DT_BOOL, x.shape()));
  const bool* in = x.flat<bool>();
  bool* o = out->flat<bool>();
  for (int64_t i = 0, n = x.num_elements(); i < n; ++i) o[i] = !in[i];
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateLogicalNotKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeLogicalNot>::Create(c);
}

}  // namespace tern
