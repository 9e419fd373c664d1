// Min: the smallest element over reduction_indices (keep_dims); +inf (highest integer) over
// nothing; NaN propagates.
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/kernels/internal/reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct MinReducer {
  using Acc = T;
  static Acc Init() {
    return std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity()
                                                : std::numeric_limits<T>::max();
  }
  static Acc Combine(Acc a, T x) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) || std::isnan(x)) return std::numeric_limits<T>::quiet_NaN();
    }
    return x < a ? x : a;
  }
  static T Finish(Acc a, int64_t) { return a; }
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateMinKernel(const KernelConstruction& c) {
  return ReductionKernel<MinReducer>::Create(c);
}

}  // namespace tern
