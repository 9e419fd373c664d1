// Cumprod: running products along `axis` (a scalar input), front to back or with `reverse`
// back to front; `exclusive` leaves the current element out (the first product is 1). Products
// run in input order in T, as TensorFlow's scan does; integers wrap.
#include <string>
#include <type_traits>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// Wrapping multiplication for integers: done in uint64 and truncated, so signed overflow wraps
// as TensorFlow's does instead of being undefined; plain multiplication for floating point.
template <typename T>
T WrappingMultiply(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  } else {
    return a * b;
  }
}

class CumprodKernel final : public OpKernel {
 public:
  CumprodKernel(bool exclusive, bool reverse) : exclusive_(exclusive), reverse_(reverse) {}

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
              T product = T(1);
              for (int64_t k = 0; k < len; ++k) {
                const int64_t j = reverse_ ? len - 1 - k : k;
                const int64_t at = (a * len + j) * inner + b;
                if (exclusive_) {
                  o[at] = product;
                  product = WrappingMultiply(product, in[at]);
                } else {
                  product = WrappingMultiply(product, in[at]);
                  o[at] = product;
                }
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

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateCumprodKernel(const KernelConstruction& c) {
  // Both attrs default to false (stripped from exports when false).
  return std::unique_ptr<OpKernel>(
      new CumprodKernel(c.GetBoolAttrOr("exclusive", false), c.GetBoolAttrOr("reverse", false)));
}

}  // namespace tern
