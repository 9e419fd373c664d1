// DenseBincount: counts of each value in [0, size) of a 1-D input (output [size]) or per row of
// a 2-D input (output [rows, size]). With non-empty weights (same shape as input) it sums the
// weights instead of counting; with binary_output it writes 1 where a value occurs. Values >=
// size are ignored; negative values are an error, as in TensorFlow.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class DenseBincountKernel final : public OpKernel {
 public:
  explicit DenseBincountKernel(bool binary_output) : binary_output_(binary_output) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const Tensor& size_t_ = ctx.input(1);
    const Tensor& weights = ctx.input(2);
    int64_t size = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, size_t_, "size", &size));
    if (size < 0) return ctx.Error("size (" + std::to_string(size) + ") must be non-negative");
    if (input.rank() != 1 && input.rank() != 2) {
      return ctx.Error("input must be 1-D or 2-D, got shape " + input.shape().DebugString());
    }
    const bool weighted = weights.num_elements() > 0;
    if (weighted && weights.shape() != input.shape()) {
      return ctx.Error("weights must be empty or have the input's shape " +
                       input.shape().DebugString() + ", got " + weights.shape().DebugString());
    }
    std::vector<int64_t> values;
    TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, input, "input", &values));
    for (int64_t v : values) {
      if (v < 0) return ctx.Error("Input arr must be non-negative!");
    }
    const int64_t rows = input.rank() == 2 ? input.dim(0) : 1;
    const int64_t cols = input.rank() == 2 ? input.dim(1) : input.num_elements();
    TensorShape shape = input.rank() == 2 ? TensorShape{rows, size} : TensorShape{size};
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, weights.dtype(), shape));
    return DispatchRealNumber(
        weights.dtype(), "weights",
        [&]<typename T>() -> Status {
          T* o = out->flat<T>();
          const T* w = weighted ? weights.flat<T>() : nullptr;
          for (int64_t r = 0; r < rows; ++r) {
            for (int64_t c = 0; c < cols; ++c) {
              const int64_t i = r * cols + c;
              const int64_t v = values[i];
              if (v >= size) continue;
              T& slot = o[r * size + v];
              if (binary_output_) {
                slot = T(1);
              } else {
                slot = WrappingAdd<T>(slot, w ? w[i] : T(1));
              }
            }
          }
          return Status::Ok();
        },
        ctx);
  }

 private:
  const bool binary_output_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateDenseBincountKernel(const KernelConstruction& c) {
  return std::unique_ptr<OpKernel>(
      new DenseBincountKernel(c.GetBoolAttrOr("binary_output", false)));
}

}  // namespace tern
