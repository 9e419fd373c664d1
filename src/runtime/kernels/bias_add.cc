// BiasAdd: value + bias along the channel dimension (the last one for NHWC, dimension 1 for
// NCHW). value must be at least 2-D; bias is 1-D with the channel count. Large values are split
// among idle cores by rows (internal/parallel_rows.h).
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class BiasAddKernel final : public OpKernel {
 public:
  explicit BiasAddKernel(bool nchw) : nchw_(nchw) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& value = ctx.input(0);
    const Tensor& bias = ctx.input(1);
    if (value.dtype() != bias.dtype()) {
      return ctx.Error("value and bias have different dtypes: " + DataTypeName(value.dtype()) +
                       " and " + DataTypeName(bias.dtype()));
    }
    if (value.rank() < 2) {
      return ctx.Error("value must be at least 2-D, got shape " + value.shape().DebugString());
    }
    if (bias.rank() != 1) {
      return ctx.Error("bias must be 1-D, got shape " + bias.shape().DebugString());
    }
    const int channel_dim = nchw_ ? 1 : value.rank() - 1;
    const int64_t channels = value.dim(channel_dim);
    if (bias.dim(0) != channels) {
      return ctx.Error("bias has " + std::to_string(bias.dim(0)) + " elements but value " +
                       value.shape().DebugString() + " has " + std::to_string(channels) +
                       " channels in dimension " + std::to_string(channel_dim));
    }
    // value viewed as [outer, channels, inner].
    int64_t outer = 1;
    for (int i = 0; i < channel_dim; ++i) outer *= value.dim(i);
    int64_t inner = 1;
    for (int i = channel_dim + 1; i < value.rank(); ++i) inner *= value.dim(i);
    return DispatchRealNumber(
        value.dtype(), "value",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, value.dtype(), value.shape(),
                                                                 Tensor::Contents::kUnset));
          const T* in = value.flat<T>();
          const T* b = bias.flat<T>();
          T* o = out->flat<T>();
          const int64_t row_bytes = 2 * channels * inner * static_cast<int64_t>(sizeof(T));
          ForEachRowRange(outer, row_bytes, [&](int64_t begin, int64_t end) {
            if (inner == 1) {
              for (int64_t r = begin; r < end; ++r) {
                const T* row = in + r * channels;
                T* orow = o + r * channels;
                for (int64_t c = 0; c < channels; ++c) orow[c] = WrappingAdd(row[c], b[c]);
              }
              return;
            }
            for (int64_t r = begin; r < end; ++r) {
              for (int64_t c = 0; c < channels; ++c) {
                const int64_t base = (r * channels + c) * inner;
                const T bc = b[c];
                for (int64_t k = 0; k < inner; ++k) o[base + k] = WrappingAdd(in[base + k], bc);
              }
            }
          });
          return Status::Ok();
        },
        ctx);
  }

 private:
  const bool nchw_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateBiasAddKernel(const KernelConstruction& c) {
  // data_format defaults to NHWC (attrs equal to the OpDef default are stripped on export).
  const std::string format = c.GetStringAttrOr("data_format", "NHWC");
  if (format != "NHWC" && format != "NCHW") {
    return c.Error("data_format must be NHWC or NCHW, got '" + format + "'");
  }
  return std::unique_ptr<OpKernel>(new BiasAddKernel(format == "NCHW"));
}

}  // namespace tern
