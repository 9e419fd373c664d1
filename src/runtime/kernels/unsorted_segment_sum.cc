// UnsortedSegmentSum: the sum of each segment's rows (0 where none),
// segment ids in any order (internal/unsorted_segment_reduction.h).
#include <limits>

#include "runtime/kernels/internal/unsorted_segment_reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct SumReducer {
  static T Identity() { return T(0); }
  static T Combine(T acc, T x) { return static_cast<T>(acc + x); }
};

Status ComputeUnsortedSegmentSum(KernelContext& ctx) {
  return UnsortedSegmentReduce<SumReducer>(ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateUnsortedSegmentSumKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeUnsortedSegmentSum>::Create(c);
}

}  // namespace tern
