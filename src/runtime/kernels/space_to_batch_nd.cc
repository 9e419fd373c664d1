// SpaceToBatchND: zero-pads the M spatial dimensions and moves block_shape-strided phases of
// them into the batch dimension (see internal/space_batch.h for the mapping).
#include "runtime/kernels/internal/space_batch.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeSpaceToBatchND(KernelContext& ctx) {
  return SpaceBatchToOutput(ctx, SpaceBatchDirection::kSpaceToBatch);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSpaceToBatchNDKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSpaceToBatchND>::Create(c);
}

}  // namespace tern
