// BatchToSpaceND: the inverse of SpaceToBatchND, then crops the spatial dimensions.
#include "runtime/kernels/internal/space_batch.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeBatchToSpaceND(KernelContext& ctx) {
  return SpaceBatchToOutput(ctx, SpaceBatchDirection::kBatchToSpace);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateBatchToSpaceNDKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeBatchToSpaceND>::Create(c);
}

}  // namespace tern
