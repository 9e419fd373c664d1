// SparseSegmentSum (see internal/sparse_segment_reduction.h).
#include "runtime/kernels/internal/sparse_segment_reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateSparseSegmentSumKernel(const KernelConstruction&) {
  return std::unique_ptr<OpKernel>(new SparseSegmentReductionKernel<SegmentReduction::kSum>());
}

}  // namespace tern
