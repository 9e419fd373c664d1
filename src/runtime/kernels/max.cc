// Max: the largest element over reduction_indices (keep_dims); -inf (lowest integer) over nothing;
// NaN propagates.
#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/kernels/internal/reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct MaxReducer {
  static constexpr bool kSupportsHalf = true;
  using Acc = T;
  static Acc Init() {
    return std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                : std::numeric_limits<T>::lowest();
  }
  static Acc Combine(Acc a, T x) {
    if constexpr (!std::is_integral_v<T>) {
      if (Eigen::numext::isnan(a) || Eigen::numext::isnan(x))
        return std::numeric_limits<T>::quiet_NaN();
    }
    return x > a ? x : a;
  }
  static T Finish(Acc a, int64_t) { return a; }
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateMaxKernel(const KernelConstruction& c) {
  return ReductionKernel<MaxReducer>::Create(c);
}

}  // namespace tern
