// ResourceApplyGradientDescent: var -= alpha * delta on a resource variable (float, double),
// atomically with respect to other updates of it. Keras train signatures use it.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
StatusOr<Tensor> Step(const Tensor& var, const Tensor& alpha, const Tensor& delta) {
  Tensor next(var.dtype(), var.shape());
  const T a = alpha.flat<T>()[0];
  const T* v = var.flat<T>();
  const T* d = delta.flat<T>();
  T* o = next.flat<T>();
  for (int64_t i = 0, n = var.num_elements(); i < n; ++i) o[i] = v[i] - a * d[i];
  return next;
}

Status ComputeResourceApplyGradientDescent(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(Variable * variable, VariableInput(ctx, 0));
  const Tensor& alpha = ctx.input(1);
  const Tensor& delta = ctx.input(2);
  if (alpha.num_elements() != 1) {
    return ctx.Error("alpha must be a scalar, got shape " + alpha.shape().DebugString());
  }
  Status status = variable->Update([&](const Tensor& var) -> StatusOr<Tensor> {
    if (var.dtype() != delta.dtype() || var.dtype() != alpha.dtype()) {
      return ctx.Error("variable '" + variable->name() + "' is " + var.DebugString() +
                       " but alpha is " + alpha.DebugString() + " and delta " +
                       delta.DebugString());
    }
    if (var.shape() != delta.shape()) {
      return ctx.Error("variable '" + variable->name() + "' has shape " +
                       var.shape().DebugString() + " but delta has shape " +
                       delta.shape().DebugString());
    }
    switch (var.dtype()) {
      case tensorflow::DT_FLOAT: return Step<float>(var, alpha, delta);
      case tensorflow::DT_DOUBLE: return Step<double>(var, alpha, delta);
      default:
        return ctx.Error("dtype " + DataTypeName(var.dtype()) +
                         " is not supported (float, double)");
    }
  });
  if (status.code() == StatusCode::kFailedPrecondition) return ctx.Error(status.message());
  return status;
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateResourceApplyGradientDescentKernel(
    const KernelConstruction& c) {
  return FunctionKernel<ComputeResourceApplyGradientDescent>::Create(c);
}

}  // namespace tern
