// Pow: x^y elementwise with broadcasting (tanh-approximate gelu's x^3). Floating point is
// std::pow. Integers multiply by repeated squaring and wrap on overflow, and a negative exponent
// is an error, as in TensorFlow (which checks every exponent before computing).
#include <cmath>
#include <optional>
#include <type_traits>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct PowFn {
  T operator()(T x, T y) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::pow(x, y);
    } else {
      // In uint64 so overflow wraps (defined) and truncates to T like TensorFlow's product.
      uint64_t result = 1, base = static_cast<uint64_t>(x);
      for (uint64_t e = static_cast<uint64_t>(y); e != 0; e >>= 1) {
        if (e & 1) result *= base;
        base *= base;
      }
      return static_cast<T>(result);
    }
  }
};

// x^2 and x^3 of a float tensor as products, vectorized (std::pow is a call per element):
// tanh-approximate gelu raises every activation to the third power. Products round once per
// multiply, within 2 ulp of std::pow. nullopt: not one of these cases.
std::optional<Status> PowBySquaring(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& y = ctx.input(1);
  if (x.dtype() != tensorflow::DT_FLOAT || y.dtype() != tensorflow::DT_FLOAT ||
      y.num_elements() != 1 || y.rank() > x.rank()) {
    return std::nullopt;
  }
  const float e = y.flat<float>()[0];
  if (e != 2.f && e != 3.f) return std::nullopt;
  auto out = ctx.AllocateOutput(0, x.dtype(), x.shape(), Tensor::Contents::kUnset);
  if (!out.ok()) return out.status();
  const float* in = x.flat<float>();
  float* o = (*out)->flat<float>();
  const int64_t n = x.num_elements();
  if (e == 2.f) {
    for (int64_t i = 0; i < n; ++i) o[i] = in[i] * in[i];
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = in[i] * in[i] * in[i];
  }
  return Status::Ok();
}

Status ComputePow(KernelContext& ctx) {
  if (std::optional<Status> done = PowBySquaring(ctx)) return *done;
  const Tensor& y = ctx.input(1);
  TERN_RETURN_IF_ERROR(DispatchRealNumber(
      y.dtype(), "y",
      [&]<typename T>() -> Status {
        if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
          const T* p = y.flat<T>();
          for (int64_t i = 0, n = y.num_elements(); i < n; ++i) {
            if (p[i] < 0) return ctx.Error("Integers to negative integer powers are not allowed");
          }
        }
        return Status::Ok();
      },
      ctx));
  return ArithmeticBroadcast<PowFn>(ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreatePowKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputePow>::Create(c);
}

}  // namespace tern
