// BatchMatMul, BatchMatMulV2 and BatchMatMulV3: batched matrix products over the leading
// dimensions (V1 requires equal batch shapes; V2/V3 broadcast them), adj_x/adj_y transposing
// the last two dimensions (real dtypes only, so adjoint is transpose).
#include "runtime/kernels/internal/batch_mat_mul.h"

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class BatchMatMulKernel final : public OpKernel {
 public:
  BatchMatMulKernel(bool adj_x, bool adj_y, bool broadcast, DataType out_type)
      : adj_x_(adj_x), adj_y_(adj_y), broadcast_(broadcast), out_type_(out_type) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    if (!broadcast_ &&
        (x.rank() != y.rank() || !std::equal(x.shape().dims().begin(), x.shape().dims().end() - 2,
                                             y.shape().dims().begin()))) {
      return ctx.Error("x " + x.shape().DebugString() + " and y " + y.shape().DebugString() +
                       " must have the same batch dimensions");
    }
    if (out_type_ != tensorflow::DT_INVALID && out_type_ != x.dtype()) {
      return ctx.Error("Tout " + DataTypeName(out_type_) + " differs from the inputs' dtype " +
                       DataTypeName(x.dtype()) + "; only equal types are supported");
    }
    return BatchedMatMulToOutput(ctx, MatMulOperands{&x, &y, adj_x_, adj_y_}, 0);
  }

 private:
  const bool adj_x_;
  const bool adj_y_;
  const bool broadcast_;
  const DataType out_type_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateBatchMatMulKernel(const KernelConstruction& c) {
  DataType out_type = tensorflow::DT_INVALID;
  if (c.HasAttr("Tout")) {
    TERN_ASSIGN_OR_RETURN(out_type, c.GetTypeAttr("Tout"));
  }
  return std::unique_ptr<OpKernel>(
      new BatchMatMulKernel(c.GetBoolAttrOr("adj_x", false), c.GetBoolAttrOr("adj_y", false),
                            /*broadcast=*/c.op() != "BatchMatMul", out_type));
}

}  // namespace tern
