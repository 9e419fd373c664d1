// SquaredDifference: (a - b)^2 elementwise with broadcasting (layer normalization variance).
// float, double, half, bfloat16 and the integers.
#include <cmath>
#include <type_traits>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct SquaredDifferenceFn {
  // On half and bfloat16 the difference is rounded before it is squared, as in TensorFlow.
  static constexpr bool kSupportsHalf = true;
  T operator()(T a, T b) const {
    const T d = static_cast<T>(a - b);
    return static_cast<T>(d * d);
  }
};

Status ComputeSquaredDifference(KernelContext& ctx) {
  return ArithmeticBroadcast<SquaredDifferenceFn>(ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSquaredDifferenceKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSquaredDifference>::Create(c);
}

}  // namespace tern
