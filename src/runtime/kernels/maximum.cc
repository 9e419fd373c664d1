// Maximum: max(a, b) elementwise with broadcasting; a NaN on either side gives NaN, like
// TensorFlow.
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct MaximumFn {
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    }
    return a > b ? a : b;
  }
};

Status ComputeMaximum(KernelContext& ctx) { return ArithmeticBroadcast<MaximumFn>(ctx); }

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateMaximumKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeMaximum>::Create(c);
}

}  // namespace tern
