// ResourceGather: GatherV2 on a resource variable's current value along axis batch_dims
// (attr, default 0), as Keras Embedding layers read their table. Reads the value once; the
// variable is not copied.
#include "runtime/kernels/internal/gather.h"
#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class ResourceGatherKernel final : public OpKernel {
 public:
  ResourceGatherKernel(int64_t batch_dims, DataType dtype)
      : batch_dims_(batch_dims), dtype_(dtype) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_ASSIGN_OR_RETURN(Variable * variable, VariableInput(ctx, 0));
    auto params = variable->Read();
    if (!params.ok()) return ctx.Error(params.status().message());
    if (dtype_ != tensorflow::DT_INVALID && params->dtype() != dtype_) {
      return ctx.Error("variable '" + variable->name() + "' holds " + params->DebugString() +
                       " but the op reads " + DataTypeName(dtype_));
    }
    const Tensor& indices = ctx.input(1);
    int64_t batch_dims = batch_dims_;
    if (batch_dims < 0) batch_dims += indices.rank();
    if (batch_dims < 0) {
      return ctx.Error("batch_dims " + std::to_string(batch_dims_) +
                       " is out of range for indices of shape " + indices.shape().DebugString());
    }
    return GatherToOutput(ctx, *params, indices, static_cast<int>(batch_dims),
                          static_cast<int>(batch_dims));
  }

 private:
  const int64_t batch_dims_;
  const DataType dtype_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateResourceGatherKernel(const KernelConstruction& c) {
  int64_t batch_dims = 0;  // the OpDef default, stripped from exports
  if (c.HasAttr("batch_dims")) {
    TERN_ASSIGN_OR_RETURN(batch_dims, c.GetIntAttr("batch_dims"));
  }
  DataType dtype = tensorflow::DT_INVALID;
  if (c.HasAttr("dtype")) {
    TERN_ASSIGN_OR_RETURN(dtype, c.GetTypeAttr("dtype"));
  }
  return std::unique_ptr<OpKernel>(new ResourceGatherKernel(batch_dims, dtype));
}

}  // namespace tern
