// GatherV2: slices of params along `axis` (an input; negative counts from the end) picked by
// integer indices, with `batch_dims` leading dimensions shared by params and indices (attr,
// default 0; negative counts from the end of indices). Indices outside [0, dim) are
// INVALID_ARGUMENT, as on TensorFlow's CPU. Any dtype.
#include "runtime/kernels/internal/gather.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class GatherV2Kernel final : public OpKernel {
 public:
  explicit GatherV2Kernel(int64_t batch_dims) : batch_dims_(batch_dims) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& params = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    int64_t requested_axis = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(2), "axis", &requested_axis));
    int resolved_axis = 0;
    TERN_RETURN_IF_ERROR(ResolveAxis(ctx, requested_axis, params, "params", &resolved_axis));
    int64_t axis = resolved_axis;
    int64_t batch_dims = batch_dims_;
    const int64_t irank = indices.rank();
    if (batch_dims < -irank || batch_dims > irank) {
      return ctx.Error("batch_dims " + std::to_string(batch_dims) + " is out of range [" +
                       std::to_string(-irank) + ", " + std::to_string(irank) +
                       "] for indices of shape " + indices.shape().DebugString());
    }
    if (batch_dims < 0) batch_dims += irank;
    return GatherToOutput(ctx, params, indices, static_cast<int>(axis),
                          static_cast<int>(batch_dims));
  }

 private:
  const int64_t batch_dims_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateGatherV2Kernel(const KernelConstruction& c) {
  int64_t batch_dims = 0;  // the OpDef default, stripped from exports
  if (c.HasAttr("batch_dims")) {
    TERN_ASSIGN_OR_RETURN(batch_dims, c.GetIntAttr("batch_dims"));
  }
  if (c.num_inputs() != 3) {
    return c.Error("expected 3 inputs (params, indices, axis), got " +
                   std::to_string(c.num_inputs()));
  }
  return std::unique_ptr<OpKernel>(new GatherV2Kernel(batch_dims));
}

}  // namespace tern
