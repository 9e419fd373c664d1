// Any: true where any element over reduction_indices is true (false over nothing);
// keep_dims keeps the reduced dims as size 1. bool only.
#include "runtime/kernels/internal/reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct AnyReducer {
  static constexpr bool kBooleanOnly = true;
  using Acc = uint8_t;  // not bool: the accumulators live in a std::vector
  static Acc Init() { return false; }
  static Acc Combine(Acc a, T x) { return a || x; }
  static T Finish(Acc a, int64_t) { return a; }
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAnyKernel(const KernelConstruction& c) {
  return ReductionKernel<AnyReducer>::Create(c);
}

}  // namespace tern
