// FusedBatchNorm, FusedBatchNormV2 and FusedBatchNormV3 over the channel dim (last for NHWC and
// NDHWC, 1 for NCHW and NCDHW, which Keras' LayerNormalization uses):
// y = (x - mean) / sqrt(variance + epsilon) * scale + offset. With is_training=false (Keras
// BatchNormalization at inference) mean and variance are inputs; with is_training=true (the
// default, which Keras' LayerNormalization relies on) they are the batch statistics over every
// other dim, and batch_variance is reported with Bessel's correction like TensorFlow.
// x float; the statistics are computed in double. reserve_space_1/2 hold the mean and the
// (biased) variance used, as TensorFlow's CPU kernel returns them.
// _FusedBatchNormEx (the op TensorFlow's grappler fuses a batch norm and its activation into, which
// runtime/optimize/fuse_batch_norm.h writes for a batch norm followed by Relu) is the same with
// activation_mode Identity or Relu applied to y in the same pass; side inputs are not supported.
// Channels-last rows are split among idle cores (internal/parallel_rows.h).
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/internal/vector_math.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// x viewed as [outer, channels, inner]: element (o, c, i) is at (o * channels + c) * inner + i.
struct ChannelLayout {
  int64_t outer = 0;
  int64_t channels = 0;
  int64_t inner = 1;
  int64_t rows = 0;  // elements per channel
};

// The batch mean and (biased) variance of each channel.
void BatchStatistics(const float* in, const ChannelLayout& l, double* mean, double* var) {
  const int64_t channels = l.channels, inner = l.inner;
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      const float* p = in + (o * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) mean[c] += p[i];
    }
  }
  for (int64_t c = 0; c < channels; ++c) mean[c] /= static_cast<double>(l.rows);
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      const float* p = in + (o * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) {
        const double d = p[i] - mean[c];
        var[c] += d * d;
      }
    }
  }
  for (int64_t c = 0; c < channels; ++c) var[c] /= static_cast<double>(l.rows);
}

// Per channel, y = x * a + b: a and b folded from scale, offset and the statistics.
struct Coefficients {
  std::vector<Tensor> sources;  // inference: scale, offset, mean, variance they were made from
  std::vector<float> a, b;
};

void Fold(const float* scale, const float* offset, const double* mean, const double* var,
          int64_t channels, float epsilon, Coefficients& out) {
  out.a.resize(channels);
  out.b.resize(channels);
  for (int64_t c = 0; c < channels; ++c) {
    const double inv = 1.0 / std::sqrt(var[c] + static_cast<double>(epsilon));
    out.a[c] = static_cast<float>(scale[c] * inv);
    out.b[c] = static_cast<float>(offset[c] - mean[c] * scale[c] * inv);
  }
}

// y = max(x * a + b, lower) per channel (lower: -inf, or 0 for a fused Relu).
void Normalize(const float* in, const ChannelLayout& l, const Coefficients& k, float lower,
               float* o) {
  const int64_t channels = l.channels, inner = l.inner;
  const float* a = k.a.data();
  const float* b = k.b.data();
  if (inner == 1) {  // channels last: rows of channels, vectorized per ISA
    ForEachRowRange(l.outer, channels * static_cast<int64_t>(sizeof(float)),
                    [&](int64_t begin, int64_t end) {
                      ScaleShiftArgs args;
                      args.in = in + begin * channels;
                      args.rows = end - begin;
                      args.channels = channels;
                      args.scale = a;
                      args.shift = b;
                      args.lower = lower;
                      args.upper = std::numeric_limits<float>::infinity();
                      args.out = o + begin * channels;
                      ScaleShiftRows(args);
                    });
    return;
  }
  for (int64_t r = 0; r < l.outer; ++r) {
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t base = (r * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) {
        const float v = in[base + i] * a[c] + b[c];
        o[base + i] = v < lower ? lower : v;  // NaN stays NaN
      }
    }
  }
}

class FusedBatchNormKernel final : public OpKernel {
 public:
  // `lower`: y's clamp from below, -inf for none.
  FusedBatchNormKernel(float epsilon, bool is_training, int num_outputs, bool channels_first,
                       float lower)
      : epsilon_(epsilon),
        is_training_(is_training),
        num_outputs_(num_outputs),
        channels_first_(channels_first),
        lower_(lower) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != tensorflow::DT_FLOAT) {
      return ctx.Error("x must be float, got " + DataTypeName(x.dtype()));
    }
    if (x.rank() < (channels_first_ ? 2 : 1)) {
      return ctx.Error("x has shape " + x.shape().DebugString() +
                       ", too few dims for its data_format");
    }
    const int channel_dim = channels_first_ ? 1 : x.rank() - 1;
    ChannelLayout l;
    l.channels = x.dim(channel_dim);
    for (int d = channel_dim + 1; d < x.rank(); ++d) l.inner *= x.dim(d);
    TERN_RETURN_IF_ERROR(CheckParameters(ctx, l.channels));
    l.rows = l.channels == 0 ? 0 : x.num_elements() / l.channels;
    l.outer = l.channels * l.inner == 0 ? 0 : x.num_elements() / (l.channels * l.inner);
    const float* in = x.flat<float>();
    // Unset: Normalize writes every element.
    TERN_ASSIGN_OR_RETURN(Tensor * y,
                          ctx.AllocateOutput(0, x.dtype(), x.shape(), Tensor::Contents::kUnset));
    if (!is_training_) {
      const std::shared_ptr<const Coefficients> k = InferenceCoefficients(ctx, l.channels);
      Normalize(in, l, *k, lower_, y->flat<float>());
      // TensorFlow reports the given statistics back, as the batch's and as the reserve space.
      for (int i : {1, 3}) ctx.set_output(i, ctx.input(3));
      for (int i : {2, 4}) ctx.set_output(i, ctx.input(4));
      if (num_outputs_ > 5) ctx.set_output(5, empty_reserve_);
      return Status::Ok();
    }
    std::vector<double> mean(l.channels, 0.0), var(l.channels, 0.0);
    BatchStatistics(in, l, mean.data(), var.data());
    Coefficients k;
    Fold(ctx.input(1).flat<float>(), ctx.input(2).flat<float>(), mean.data(), var.data(),
         l.channels, epsilon_, k);
    Normalize(in, l, k, lower_, y->flat<float>());
    SetTrainingStatistics(ctx, mean, var, l.rows);
    return Status::Ok();
  }

 private:
  // scale, offset, mean and variance: float [channels] (mean and variance may be empty when
  // training, which ignores them).
  Status CheckParameters(const KernelContext& ctx, int64_t channels) const {
    for (int i = 1; i < 5; ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() != tensorflow::DT_FLOAT) {
        return ctx.Error("input " + std::to_string(i) + " must be float, got " +
                         DataTypeName(t.dtype()));
      }
      const bool empty_ok = is_training_ && i >= 3;
      if (t.num_elements() != channels && !(empty_ok && t.num_elements() == 0)) {
        return ctx.Error("input " + std::to_string(i) + " has shape " + t.shape().DebugString() +
                         ", expected [" + std::to_string(channels) + "] (x's channels)");
      }
    }
    return Status::Ok();
  }

  // Folded from inputs 1-4: the cached ones when the same buffers come again (always, for
  // parameters read from constants or unchanged variables).
  std::shared_ptr<const Coefficients> InferenceCoefficients(const KernelContext& ctx,
                                                            int64_t channels) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (cached_ != nullptr && SameInputBuffers(cached_->sources, ctx, 1)) return cached_;
    auto k = std::make_shared<Coefficients>();
    std::vector<double> mean(channels), var(channels);
    for (int64_t c = 0; c < channels; ++c) {
      mean[c] = ctx.input(3).flat<float>()[c];
      var[c] = ctx.input(4).flat<float>()[c];
    }
    Fold(ctx.input(1).flat<float>(), ctx.input(2).flat<float>(), mean.data(), var.data(), channels,
         epsilon_, *k);
    for (int i = 1; i < 5; ++i) k->sources.push_back(ctx.input(i));
    cached_ = k;
    return k;
  }

  void SetTrainingStatistics(KernelContext& ctx, const std::vector<double>& mean,
                             const std::vector<double>& var, int64_t rows) const {
    const int64_t channels = static_cast<int64_t>(mean.size());
    Tensor batch_mean(tensorflow::DT_FLOAT, TensorShape{channels});
    Tensor batch_var(tensorflow::DT_FLOAT, TensorShape{channels});
    Tensor biased_var(tensorflow::DT_FLOAT, TensorShape{channels});
    const double bessel = rows > 1 ? static_cast<double>(rows) / (rows - 1) : 1.0;
    for (int64_t c = 0; c < channels; ++c) {
      batch_mean.flat<float>()[c] = static_cast<float>(mean[c]);
      batch_var.flat<float>()[c] = static_cast<float>(var[c] * bessel);
      biased_var.flat<float>()[c] = static_cast<float>(var[c]);
    }
    ctx.set_output(1, batch_mean);
    ctx.set_output(2, batch_var);
    ctx.set_output(3, batch_mean);
    ctx.set_output(4, biased_var);  // the reserve space holds the variance actually used
    if (num_outputs_ > 5) ctx.set_output(5, empty_reserve_);
  }

  const float epsilon_;
  const bool is_training_;
  const int num_outputs_;
  const bool channels_first_;
  const float lower_;  // y's clamp from below: -inf, or 0 for _FusedBatchNormEx's Relu
  const Tensor empty_reserve_{tensorflow::DT_FLOAT, TensorShape{0}};  // output 5, shared
  mutable std::mutex mu_;
  mutable std::shared_ptr<const Coefficients> cached_;  // guarded by mu_
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFusedBatchNormKernel(const KernelConstruction& c) {
  const std::string format = c.GetStringAttrOr("data_format", "NHWC");
  if (format != "NHWC" && format != "NDHWC" && format != "NCHW" && format != "NCDHW") {
    return c.Error("data_format " + format + " is not supported (NHWC, NDHWC, NCHW, NCDHW)");
  }
  float epsilon = 0.0001f;  // OpDef default
  if (c.HasAttr("epsilon")) {
    TERN_ASSIGN_OR_RETURN(epsilon, c.GetFloatAttr("epsilon"));
  }
  const bool is_training = c.GetBoolAttrOr("is_training", true);
  if (is_training && c.HasAttr("exponential_avg_factor")) {
    TERN_ASSIGN_OR_RETURN(float factor, c.GetFloatAttr("exponential_avg_factor"));
    if (factor != 1.0f)
      return c.Error("exponential_avg_factor != 1 (a training update) is not supported");
  }
  float lower = -std::numeric_limits<float>::infinity();
  if (c.op() == "_FusedBatchNormEx") {
    if (c.HasAttr("num_side_inputs")) {
      TERN_ASSIGN_OR_RETURN(int64_t side_inputs, c.GetIntAttr("num_side_inputs"));
      if (side_inputs != 0) {
        return c.Error("num_side_inputs " + std::to_string(side_inputs) +
                       " is not supported (0: no side input)");
      }
    }
    const std::string mode = c.GetStringAttrOr("activation_mode", "Identity");
    if (mode != "Identity" && mode != "Relu") {
      return c.Error("activation_mode " + mode + " is not supported (Identity, Relu)");
    }
    if (mode == "Relu") lower = 0.0f;
  }
  const bool six_outputs = c.op() == "FusedBatchNormV3" || c.op() == "_FusedBatchNormEx";
  return std::unique_ptr<OpKernel>(
      new FusedBatchNormKernel(epsilon, is_training, six_outputs ? 6 : 5,
                               /*channels_first=*/format[1] == 'C', lower));
}

}  // namespace tern
