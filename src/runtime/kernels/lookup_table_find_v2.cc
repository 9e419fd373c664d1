// LookupTableFindV2: the table's value for each key, or default_value (a scalar, or one per
// key) for keys it does not hold. Output has the keys' shape.
#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeFind(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(LookupTable * table, TableInput(ctx, 0));
  Tensor values;
  Status status = table->Find(ctx.input(1), ctx.input(2), &values);
  if (!status.ok())
    return status.WithContext("node '" + ctx.node_name() + "' (op " + ctx.op() + ")");
  ctx.set_output(0, std::move(values));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateLookupTableFindV2Kernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeFind>::Create(c);
}

}  // namespace tern
