// Sub: elementwise a - b with broadcasting.
#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct SubFn {
  static constexpr bool kSupportsHalf = true;
  T operator()(T a, T b) const { return static_cast<T>(a - b); }
};

Status ComputeSub(KernelContext& ctx) { return ArithmeticBroadcast<SubFn>(ctx); }

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSubKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSub>::Create(c);
}

}  // namespace tern
