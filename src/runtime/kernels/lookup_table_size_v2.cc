// LookupTableSizeV2: the number of entries in a table, as an int64 scalar.
#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeSize(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(LookupTable * table, TableInput(ctx, 0));
  ctx.set_output(0, Tensor::Scalar<int64_t>(table->size()));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateLookupTableSizeV2Kernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSize>::Create(c);
}

}  // namespace tern
