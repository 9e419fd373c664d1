// Shared by AssignAddVariableOp and AssignAdd (TF1): variable += delta, atomically with respect
// to other updates. The new value is a fresh tensor; readers of the old one keep it unchanged.
#pragma once

#include "runtime/kernels/internal/common.h"
#include "runtime/state/resources.h"

namespace tern {

inline Status AddToVariable(KernelContext& ctx, Variable& variable, const Tensor& delta) {
  Status status = variable.Update([&](const Tensor& current) -> StatusOr<Tensor> {
    if (current.dtype() != delta.dtype()) {
      return ctx.Error("variable '" + variable.name() + "' is " + current.DebugString() +
                       " but the value added is " + delta.DebugString());
    }
    if (current.shape() != delta.shape()) {
      return ctx.Error("cannot update variable '" + variable.name() + "' of shape " +
                       current.shape().DebugString() + " with a value of shape " +
                       delta.shape().DebugString() + "; shapes must be equal");
    }
    Tensor next(current.dtype(), current.shape());
    TERN_RETURN_IF_ERROR(DispatchRealNumber(
        current.dtype(), "value",
        [&]<typename T>() -> Status {
          const T* a = current.flat<T>();
          const T* b = delta.flat<T>();
          T* o = next.flat<T>();
          for (int64_t i = 0, n = current.num_elements(); i < n; ++i)
            o[i] = WrappingAdd(a[i], b[i]);
          return Status::Ok();
        },
        ctx));
    return next;
  });
  if (status.code() == StatusCode::kFailedPrecondition) return ctx.Error(status.message());
  return status;
}

}  // namespace tern
