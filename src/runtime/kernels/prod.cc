// Prod: the product over reduction_indices (keep_dims); 1 over nothing; integers wrap.
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/kernels/internal/reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct ProdReducer {
  using Acc = T;
  static Acc Init() { return T(1); }
  static Acc Combine(Acc a, T x) {
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<std::conditional_t<(sizeof(T) < 4), int32_t, T>>;
      return static_cast<T>(static_cast<U>(a) * static_cast<U>(x));
    } else {
      return a * x;
    }
  }
  static T Finish(Acc a, int64_t) { return a; }
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateProdKernel(const KernelConstruction& c) {
  return ReductionKernel<ProdReducer>::Create(c);
}

}  // namespace tern
