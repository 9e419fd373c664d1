// All: true where every element over reduction_indices is true (true over nothing);
// keep_dims keeps the reduced dims as size 1. bool only.
#include "runtime/kernels/internal/reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct AllReducer {
  static constexpr bool kBooleanOnly = true;
  using Acc = uint8_t;  // not bool: the accumulators live in a std::vector
  static Acc Init() { return true; }
  static Acc Combine(Acc a, T x) { return a && x; }
  static T Finish(Acc a, int64_t) { return a; }
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAllKernel(const KernelConstruction& c) {
  return ReductionKernel<AllReducer>::Create(c);
}

}  // namespace tern
