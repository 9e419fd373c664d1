// RaggedBincount: per row of a ragged tensor (splits int64 [rows + 1], values int32/int64), the
// counts of each value in [0, size): output [rows, size], what Keras' TextVectorization and
// IntegerLookup run for output_mode count / multi_hot / tf_idf. With non-empty weights (one per
// value) it sums the weights instead of counting; with binary_output it writes 1 where a value
// occurs. Values >= size are ignored; negative values are an error, as in TensorFlow. The output
// dtype is the weights' (int32, int64, float, double).
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class RaggedBincountKernel final : public OpKernel {
 public:
  explicit RaggedBincountKernel(bool binary_output) : binary_output_(binary_output) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& splits_t = ctx.input(0);
    const Tensor& values_t = ctx.input(1);
    const Tensor& size_t_ = ctx.input(2);
    const Tensor& weights = ctx.input(3);
    if (size_t_.rank() != 0) {
      return ctx.Error("size must be a scalar, got shape " + size_t_.shape().DebugString());
    }
    int64_t size = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, size_t_, "size", &size));
    if (size < 0) return ctx.Error("size (" + std::to_string(size) + ") must be non-negative");
    if (splits_t.dtype() != tensorflow::DT_INT64 || splits_t.rank() != 1 ||
        splits_t.num_elements() == 0) {
      return ctx.Error("splits must be a non-empty int64 vector, got " +
                       DataTypeName(splits_t.dtype()) + " " + splits_t.shape().DebugString());
    }
    std::vector<int64_t> values;
    TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, values_t, "values", &values));
    const int64_t num_values = static_cast<int64_t>(values.size());
    const int64_t* splits = splits_t.flat<int64_t>();
    const int64_t rows = splits_t.num_elements() - 1;
    if (splits[0] != 0) {
      return ctx.Error("Splits must start with 0, not with " + std::to_string(splits[0]));
    }
    for (int64_t r = 0; r < rows; ++r) {
      if (splits[r + 1] < splits[r]) {
        return ctx.Error("Splits must be non-decreasing, got " + std::to_string(splits[r]) +
                         " then " + std::to_string(splits[r + 1]));
      }
    }
    if (splits[rows] != num_values) {
      return ctx.Error("Splits must end with the number of values, got " +
                       std::to_string(splits[rows]) + " instead of " + std::to_string(num_values));
    }
    const bool weighted = weights.num_elements() > 0;
    if (weighted && weights.shape() != values_t.shape()) {
      return ctx.Error("weights must be empty or have the values' shape " +
                       values_t.shape().DebugString() + ", got " + weights.shape().DebugString());
    }
    for (int64_t v : values) {
      if (v < 0) return ctx.Error("Input must be non-negative, got " + std::to_string(v));
    }
    TERN_ASSIGN_OR_RETURN(Tensor * out,
                          ctx.AllocateOutput(0, weights.dtype(), TensorShape{rows, size}));
    return DispatchRealNumber(
        weights.dtype(), "weights",
        [&]<typename T>() -> Status {
          T* o = out->flat<T>();  // zero-filled
          const T* w = weighted ? weights.flat<T>() : nullptr;
          for (int64_t r = 0; r < rows; ++r) {
            for (int64_t i = splits[r]; i < splits[r + 1]; ++i) {
              const int64_t v = values[i];
              if (v >= size) continue;
              T& slot = o[r * size + v];
              slot = binary_output_ ? T(1) : WrappingAdd<T>(slot, w ? w[i] : T(1));
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

StatusOr<std::unique_ptr<OpKernel>> CreateRaggedBincountKernel(const KernelConstruction& c) {
  return std::unique_ptr<OpKernel>(
      new RaggedBincountKernel(c.GetBoolAttrOr("binary_output", false)));
}

}  // namespace tern
