// UnsortedSegmentMin: the smallest of each segment's rows (the dtype's highest finite value where
// none), segment ids in any order (internal/unsorted_segment_reduction.h).
#include <limits>

#include "runtime/kernels/internal/unsorted_segment_reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct MinReducer {
  static T Identity() { return std::numeric_limits<T>::max(); }
  static T Combine(T acc, T x) { return x < acc ? x : acc; }
};

Status ComputeUnsortedSegmentMin(KernelContext& ctx) {
  return UnsortedSegmentReduce<MinReducer>(ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateUnsortedSegmentMinKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeUnsortedSegmentMin>::Create(c);
}

}  // namespace tern
