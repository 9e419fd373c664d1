// Mul: elementwise a * b with broadcasting.
#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct MulFn {
  static constexpr bool kSupportsHalf = true;
  T operator()(T a, T b) const { return static_cast<T>(a * b); }
};

Status ComputeMul(KernelContext& ctx) { return ArithmeticBroadcast<MulFn>(ctx); }

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateMulKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeMul>::Create(c);
}

}  // namespace tern
