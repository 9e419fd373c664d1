// _FusedMaskedSoftmax(mask, x): Keras' masked softmax (keras.layers.Softmax called with a mask,
// as every MultiHeadAttention does) in one pass over each row, as its graph writes it in three
// ops (runtime/optimize/fuse_masked_softmax.h finds them):
//   z = SelectV2(mask, x, masked_logit); y = Softmax(z); out = SelectV2(mask, y, masked_output)
// mask is bool and x float, broadcast together NumPy-style (a [B,1,T,S] mask over [B,H,T,S]
// scores); the softmax runs over the last dim of the broadcast shape. Each row is one
// MaskedSoftmaxRow (internal/vector_math.h, per ISA), whose softmax is Softmax's own code, so
// the answer is the three ops' bit for bit.
#include <array>
#include <cstdint>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/internal/vector_math.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// `shape` split into its leading dims and its last dim (1 for a scalar).
struct RowView {
  TensorShape leading;
  int64_t depth = 1;
};

RowView Rows(const TensorShape& shape) {
  if (shape.rank() == 0) return {TensorShape{}, 1};
  std::vector<int64_t> dims(shape.dims().begin(), shape.dims().end() - 1);
  return {TensorShape(std::move(dims)), shape.dim(shape.rank() - 1)};
}

class FusedMaskedSoftmaxKernel final : public OpKernel {
 public:
  FusedMaskedSoftmaxKernel(float masked_logit, float masked_output)
      : masked_logit_(masked_logit), masked_output_(masked_output) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& mask = ctx.input(0);
    const Tensor& x = ctx.input(1);
    if (mask.dtype() != tensorflow::DT_BOOL) {
      return ctx.Error("mask must be bool, got " + DataTypeName(mask.dtype()));
    }
    if (x.dtype() != tensorflow::DT_FLOAT) {
      return ctx.Error("logits must be float, got " + DataTypeName(x.dtype()));
    }
    auto shape = BroadcastShape(mask.shape(), x.shape());
    if (!shape.ok()) return ctx.Error(shape.status().message());
    if (shape->rank() < 1) return ctx.Error("logits must have rank >= 1, got a scalar");
    TERN_ASSIGN_OR_RETURN(Tensor * out,
                          ctx.AllocateOutput(0, x.dtype(), *shape, Tensor::Contents::kUnset));
    const RowView out_rows = Rows(*shape);
    const int64_t depth = out_rows.depth;
    if (depth == 0 || shape->num_elements() == 0) return Status::Ok();
    const RowView mask_rows = Rows(mask.shape());
    const RowView x_rows = Rows(x.shape());
    // Runs over the leading dims: a row of the output is one leading element, and each input's
    // row starts at its leading offset times its own last dim (depth, or 1 when it repeats).
    const BroadcastRuns<2> runs({&mask_rows.leading, &x_rows.leading}, out_rows.leading);
    MaskedSoftmaxRowArgs args;
    args.mask_step = mask_rows.depth == 1 ? 0 : 1;
    args.x_step = x_rows.depth == 1 ? 0 : 1;
    args.depth = depth;
    args.masked_logit = masked_logit_;
    args.masked_output = masked_output_;
    const bool* m = mask.flat<bool>();
    const float* in = x.flat<float>();
    float* y = out->flat<float>();
    auto row = [&](int64_t out_row, int64_t mask_row, int64_t x_row) {
      MaskedSoftmaxRowArgs a = args;
      a.mask = m + mask_row * mask_rows.depth;
      a.x = in + x_row * x_rows.depth;
      a.out = y + out_row * depth;
      MaskedSoftmaxRow(a);
    };
    const int64_t length = runs.length;
    const int64_t mask_stride = runs.inner_strides[0], x_stride = runs.inner_strides[1];
    // Split among idle cores as Softmax is: an exp per element costs what moving ~8 floats would.
    ForEachRowRange(runs.Count(), length * 8 * depth * static_cast<int64_t>(sizeof(float)),
                    [&](int64_t begin, int64_t end) {
                      runs.ForEachIn(
                          begin, end, [&](int64_t first, const std::array<int64_t, 2>& at) {
                            for (int64_t k = 0; k < length; ++k) {
                              row(first + k, at[0] + k * mask_stride, at[1] + k * x_stride);
                            }
                          });
                    });
    return Status::Ok();
  }

 private:
  const float masked_logit_;
  const float masked_output_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFusedMaskedSoftmaxKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType type, c.GetTypeAttr("T"));
  if (type != tensorflow::DT_FLOAT) {
    return c.Error("dtype " + DataTypeName(type) + " is not supported (float)");
  }
  TERN_ASSIGN_OR_RETURN(float masked_logit, c.GetFloatAttr("masked_logit"));
  TERN_ASSIGN_OR_RETURN(float masked_output, c.GetFloatAttr("masked_output"));
  if (c.num_inputs() != 2) {
    return c.Error("expects 2 inputs (mask, logits), got " + std::to_string(c.num_inputs()));
  }
  return std::unique_ptr<OpKernel>(new FusedMaskedSoftmaxKernel(masked_logit, masked_output));
}

}  // namespace tern
