// UnsortedSegmentProd: the product of each segment's rows (1 where none),
// segment ids in any order (internal/unsorted_segment_reduction.h).
#include <limits>

#include "runtime/kernels/internal/unsorted_segment_reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct ProdReducer {
  static T Identity() { return T(1); }
  static T Combine(T acc, T x) { return static_cast<T>(acc * x); }
};

Status ComputeUnsortedSegmentProd(KernelContext& ctx) {
  return UnsortedSegmentReduce<ProdReducer>(ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateUnsortedSegmentProdKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeUnsortedSegmentProd>::Create(c);
}

}  // namespace tern
