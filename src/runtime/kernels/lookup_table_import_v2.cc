// LookupTableImportV2 (and InitializeTableV2, the same contract): fills a hash table with
// keys[i] -> values[i]; see LookupTable::Initialize for re-initialisation and duplicates.
#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeImport(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(LookupTable * table, TableInput(ctx, 0));
  Status status = table->Initialize(ctx.input(1), ctx.input(2));
  if (!status.ok())
    return status.WithContext("node '" + ctx.node_name() + "' (op " + ctx.op() + ")");
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateLookupTableImportV2Kernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeImport>::Create(c);
}

}  // namespace tern
