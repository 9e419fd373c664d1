// UnsortedSegmentMax: the largest of each segment's rows (the dtype's lowest finite value where
// none), segment ids in any order (internal/unsorted_segment_reduction.h).
#include <limits>

#include "runtime/kernels/internal/unsorted_segment_reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct MaxReducer {
  static T Identity() { return std::numeric_limits<T>::lowest(); }
  static T Combine(T acc, T x) { return x > acc ? x : acc; }
};

Status ComputeUnsortedSegmentMax(KernelContext& ctx) {
  return UnsortedSegmentReduce<MaxReducer>(ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateUnsortedSegmentMaxKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeUnsortedSegmentMax>::Create(c);
}

}  // namespace tern
