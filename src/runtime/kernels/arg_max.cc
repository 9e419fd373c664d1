// ArgMax: the index of the largest element along `dimension` (a scalar); the first one of equal
// values; output_type int32 or int64 (default). Real numeric dtypes. See internal/arg_reduction.h.
#include "runtime/kernels/internal/arg_reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateArgMaxKernel(const KernelConstruction& c) {
  return ArgReductionKernel</*kMax=*/true>::Create(c);
}

}  // namespace tern
