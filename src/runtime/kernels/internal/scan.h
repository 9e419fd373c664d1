// Running accumulation along an axis (Cumsum, Cumprod): `axis` is a scalar input, `reverse` runs
// back to front, `exclusive` leaves the current element out (the first output is the identity).
// The accumulation runs in input order in T, as TensorFlow's scan does; integers wrap.
// Header-only; the kernel is stateless after construction and thread-safe.
#pragma once

#include <memory>
#include <string>

#include "runtime/kernels/internal/common.h"

namespace tern {

// Op: a struct with `template <typename T> static T Identity()` and
// `template <typename T> static T Combine(T running, T x)`.
template <typename Op>
class ScanKernel final : public OpKernel {
 public:
  ScanKernel(bool exclusive, bool reverse) : exclusive_(exclusive), reverse_(reverse) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    int64_t axis = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(1), "axis", &axis));
    const int rank = x.rank();
    if (rank == 0) return ctx.Error("x must have rank >= 1, got a scalar");
    if (axis < -rank || axis >= rank) {
      return ctx.Error("axis " + std::to_string(axis) + " is out of range for input of shape " +
                       x.shape().DebugString());
    }
    if (axis < 0) axis += rank;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= x.dim(d);
    for (int d = static_cast<int>(axis) + 1; d < rank; ++d) inner *= x.dim(d);
    const int64_t len = x.dim(static_cast<int>(axis));
    return DispatchRealNumber(
        x.dtype(), "x",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
          const T* in = x.flat<T>();
          T* o = out->flat<T>();
          for (int64_t a = 0; a < outer; ++a) {
            for (int64_t b = 0; b < inner; ++b) {
              T running = Op::template Identity<T>();
              for (int64_t k = 0; k < len; ++k) {
                const int64_t j = reverse_ ? len - 1 - k : k;
                const int64_t at = (a * len + j) * inner + b;
                if (exclusive_) o[at] = running;
                running = Op::Combine(running, in[at]);
                if (!exclusive_) o[at] = running;
              }
            }
          }
          return Status::Ok();
        },
        ctx);
  }

 private:
  const bool exclusive_;
  const bool reverse_;
};

template <typename Op>
StatusOr<std::unique_ptr<OpKernel>> CreateScanKernel(const KernelConstruction& c) {
  // Both attrs default to false (stripped from exports when false).
  return std::unique_ptr<OpKernel>(
      new ScanKernel<Op>(c.GetBoolAttrOr("exclusive", false), c.GetBoolAttrOr("reverse", false)));
}

}  // namespace tern
