// Mean: the average over reduction_indices (keep_dims). Floats accumulate in double; integer means
// divide the wrapped integer sum (truncating), as TensorFlow does. Mean of nothing is NaN (floats).
#include <type_traits>

#include "runtime/kernels/internal/reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct MeanReducer {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
  // Sums of floats may be split into partial sums (see ReductionKernel).
  static constexpr bool kFloatSum = std::is_floating_point_v<T>;
  static Acc Init() { return Acc(0); }
  static Acc Combine(Acc a, T x) { return WrappingAdd<Acc>(a, static_cast<Acc>(x)); }
  static T Finish(Acc a, int64_t count) {
    if constexpr (std::is_floating_point_v<T>) {
      return static_cast<T>(a / static_cast<double>(count));
    } else {
      return count == 0 ? T(0) : static_cast<T>(a / static_cast<Acc>(count));
    }
  }
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateMeanKernel(const KernelConstruction& c) {
  return ReductionKernel<MeanReducer>::Create(c);
}

}  // namespace tern
