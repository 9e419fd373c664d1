// _FusedConv2D and _FusedDepthwiseConv2dNative: a convolution (Conv2D's or
// DepthwiseConv2dNative's inputs and attrs) followed by the ops named in attr `fused_ops`, whose
// extra inputs are the `num_args` inputs after the filter. TensorFlow's grappler writes these
// ops; Tern's load-time pass (runtime/optimize/fuse_convolutions.h) writes them for the chains
// it finds. `fused_ops` is, in this order, any of:
//   BiasAdd           args: bias [OC]
//   FusedBatchNorm    args: scale, offset, mean, variance [OC] (inference); attr epsilon
//   Add               args: addend (the output's shape, or any shape that broadcasts to it)
//   Relu | Relu6 | Elu | LeakyRelu (attr leakyrelu_alpha) | Sigmoid | _MklSwish (TensorFlow's
//   name for x * sigmoid(x); x * sigmoid(beta * x) with Tern's attr swish_beta)
// BiasAdd and FusedBatchNorm are folded into the filter and a bias once per set of argument
// buffers (cached; a tensor is never mutated, so the same buffers mean the same values), and the
// rest runs as oneDNN post-ops (internal/onednn_conv.h); without oneDNN, the own convolution
// then the same epilogue in a loop. float only.
#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/fused_activation.h"
#include "runtime/kernels/internal/onednn_conv.h"
#include "runtime/kernels/internal/own_conv.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

struct FusedOps {
  bool bias = false;
  bool batch_norm = false;
  bool add = false;
  FusedActivation activation = FusedActivation::kNone;
  float epsilon = 0.0001f;
  float leaky_alpha = 0.2f;
  float swish_beta = 1.f;

  int num_args() const { return (bias ? 1 : 0) + (batch_norm ? 4 : 0) + (add ? 1 : 0); }
  // Input index of the addend (after the filter, the bias and the batch norm's four).
  int add_input() const { return 2 + (bias ? 1 : 0) + (batch_norm ? 4 : 0); }
};

StatusOr<FusedOps> ParseFusedOps(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(std::vector<std::string> names, c.GetStringListAttr("fused_ops"));
  FusedOps ops;
  int stage = 0;  // 1 bias, 2 batch norm, 3 add, 4 activation: each at most once, in order
  for (const std::string& name : names) {
    int next;
    if (name == "BiasAdd") {
      next = 1;
      ops.bias = true;
    } else if (name == "FusedBatchNorm") {
      next = 2;
      ops.batch_norm = true;
    } else if (name == "Add") {
      next = 3;
      ops.add = true;
    } else if (auto activation = FusedActivationNamed(name, /*gelu=*/false)) {
      next = 4;
      ops.activation = *activation;
    } else {
      return c.Error("fused op " + name +
                     " is not supported (BiasAdd, FusedBatchNorm, Add, Relu, Relu6, Elu, "
                     "LeakyRelu, Sigmoid, _MklSwish)");
    }
    if (next <= stage) {
      return c.Error(
          "fused_ops must be in the order BiasAdd, FusedBatchNorm, Add, activation, "
          "each at most once");
    }
    stage = next;
  }
  if (c.HasAttr("epsilon")) {
    TERN_ASSIGN_OR_RETURN(ops.epsilon, c.GetFloatAttr("epsilon"));
  }
  if (c.HasAttr("swish_beta")) {
    TERN_ASSIGN_OR_RETURN(ops.swish_beta, c.GetFloatAttr("swish_beta"));
  }
  if (c.HasAttr("leakyrelu_alpha")) {
    TERN_ASSIGN_OR_RETURN(ops.leaky_alpha, c.GetFloatAttr("leakyrelu_alpha"));
  }
  if (c.num_inputs() != 2 + ops.num_args()) {
    return c.Error("fused_ops need " + std::to_string(ops.num_args()) + " extra inputs, got " +
                   std::to_string(c.num_inputs() - 2));
  }
  return ops;
}

float Activate(const FusedOps& ops, float v) {
  return ApplyFusedActivation(
      ops.activation, ops.activation == FusedActivation::kSwish ? ops.swish_beta : ops.leaky_alpha,
      v);
}

// The filter with the batch norm's scale folded in, and the bias after the convolution.
struct Folded {
  std::vector<Tensor> sources;  // the tensors it was made from (held: buffers stay unique)
  Tensor filter;
  Tensor bias;  // [OC], or uninitialized when there is none
};

class FusedConvKernel final : public OpKernel {
 public:
  FusedConvKernel(WindowAttrs attrs, bool depthwise, FusedOps ops)
      : attrs_(attrs),
        depthwise_(depthwise),
        ops_(ops),
        onednn_(attrs, depthwise,
                ConvEpilogue{.bias = ops.bias || ops.batch_norm,
                             .residual = ops.add,
                             .activation = ops.activation,
                             .alpha = ops.activation == FusedActivation::kSwish ? ops.swish_beta
                                                                                : ops.leaky_alpha}),
        onednn_no_add_(attrs, depthwise, ConvEpilogue{.bias = ops.bias || ops.batch_norm}) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    TERN_ASSIGN_OR_RETURN(WindowGeometry g,
                          ComputeConvWindow(ctx, attrs_, input, filter,
                                            depthwise_ ? "[KH,KW,C,M]" : "[KH,KW,C,OC]", ""));
    if (input.dtype() != tensorflow::DT_FLOAT) {
      return ctx.Error("dtype " + DataTypeName(input.dtype()) + " is not supported (float)");
    }
    const int64_t out_c = depthwise_ ? g.channels * filter.dim(3) : filter.dim(3);
    TERN_RETURN_IF_ERROR(CheckArgs(ctx, out_c));
    TERN_ASSIGN_OR_RETURN(std::shared_ptr<const Folded> folded, Fold(ctx, out_c));
    const TensorShape conv_shape{g.batch, g.out_h, g.out_w, out_c};
    const bool add_in_place = ops_.add && ctx.input(ops_.add_input()).shape() == conv_shape;
    // Unset: oneDNN writes every element; the own loops accumulate, so they zero it first.
    TERN_ASSIGN_OR_RETURN(
        Tensor * out, ctx.AllocateOutput(0, input.dtype(), conv_shape, Tensor::Contents::kUnset));
    if (out->num_elements() == 0 && !ops_.add) return Status::Ok();
    const float* bias = folded->bias.initialized() ? folded->bias.flat<float>() : nullptr;
    if (!ops_.add || add_in_place) {
      const float* residual = ops_.add ? ctx.input(ops_.add_input()).flat<float>() : nullptr;
      if (out->num_elements() > 0 && OneDnnEnabled() &&
          onednn_.Run(g, input.flat<float>(), folded->filter, bias, residual, out->flat<float>())) {
        return Status::Ok();
      }
      OwnConv(g, input.flat<float>(), folded->filter, out_c, *out);
      Epilogue(bias, residual, /*activate=*/true, out_c, out->flat<float>(), out->num_elements());
      return Status::Ok();
    }
    // An addend that broadcasts (a TF1 bias written as Add, or one that widens the output).
    if (out->num_elements() == 0 || !OneDnnEnabled() ||
        !onednn_no_add_.Run(g, input.flat<float>(), folded->filter, bias, nullptr,
                            out->flat<float>())) {
      OwnConv(g, input.flat<float>(), folded->filter, out_c, *out);
      // The activation comes after the broadcast add, as on the oneDNN path (bias only).
      Epilogue(bias, nullptr, /*activate=*/false, out_c, out->flat<float>(), out->num_elements());
    }
    return AddBroadcastThenActivate(ctx, *out);
  }

 private:
  Status CheckArgs(const KernelContext& ctx, int64_t out_c) const {
    for (int i = 2; i < ctx.num_inputs(); ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() != tensorflow::DT_FLOAT) {
        return ctx.Error("input " + std::to_string(i) + " must be float, got " +
                         DataTypeName(t.dtype()));
      }
      if (i != (ops_.add ? ops_.add_input() : -1) && (t.rank() != 1 || t.num_elements() != out_c)) {
        return ctx.Error("input " + std::to_string(i) + " has shape " + t.shape().DebugString() +
                         ", expected [" + std::to_string(out_c) + "] (the output channels)");
      }
    }
    return Status::Ok();
  }

  // The folded filter and bias for this run's arguments: the cached ones when the same buffers
  // come again (always, for weights read from constants or unchanged variables).
  StatusOr<std::shared_ptr<const Folded>> Fold(const KernelContext& ctx, int64_t out_c) const {
    const int per_channel_end = 2 + (ops_.bias ? 1 : 0) + (ops_.batch_norm ? 4 : 0);
    std::lock_guard<std::mutex> lock(mu_);
    // The common case, checked before anything is copied: the same buffers as last time.
    if (folded_ != nullptr && SameInputBuffers(folded_->sources, ctx, 1)) return folded_;
    std::vector<Tensor> sources;
    for (int i = 1; i < per_channel_end; ++i) sources.push_back(ctx.input(i));
    auto folded = std::make_shared<Folded>();
    folded->filter = ctx.input(1);
    if (ops_.bias || ops_.batch_norm) {
      folded->bias = Tensor(tensorflow::DT_FLOAT, TensorShape{out_c});
      float* b = folded->bias.flat<float>();
      int next = 2;
      if (ops_.bias) {
        const float* add = ctx.input(next++).flat<float>();
        for (int64_t c = 0; c < out_c; ++c) b[c] = add[c];
      }
      if (ops_.batch_norm) {
        const float* scale = ctx.input(next).flat<float>();
        const float* offset = ctx.input(next + 1).flat<float>();
        const float* mean = ctx.input(next + 2).flat<float>();
        const float* variance = ctx.input(next + 3).flat<float>();
        std::vector<float> factor(out_c);
        for (int64_t c = 0; c < out_c; ++c) {
          factor[c] = scale[c] / std::sqrt(variance[c] + ops_.epsilon);
          b[c] = (b[c] - mean[c]) * factor[c] + offset[c];
        }
        const Tensor& filter = ctx.input(1);
        TERN_ASSIGN_OR_RETURN(folded->filter, Tensor::Create(tensorflow::DT_FLOAT, filter.shape(),
                                                             Tensor::Contents::kUnset));
        const float* w = filter.flat<float>();
        float* fw = folded->filter.flat<float>();
        // The output channel is the fastest-varying index of both filter layouts.
        const int64_t taps = out_c > 0 ? filter.num_elements() / out_c : 0;
        for (int64_t t = 0; t < taps; ++t, w += out_c, fw += out_c) {
          for (int64_t c = 0; c < out_c; ++c) fw[c] = w[c] * factor[c];
        }
      }
    }
    folded->sources = std::move(sources);
    folded_ = folded;
    return std::shared_ptr<const Folded>(std::move(folded));
  }

  void OwnConv(const WindowGeometry& g, const float* in, const Tensor& filter, int64_t out_c,
               Tensor& out_tensor) const {
    float* out = out_tensor.flat<float>();
    std::fill_n(out, out_tensor.num_elements(), 0.f);
    if (depthwise_) {
      DepthwiseDirect(in, filter.flat<float>(), g, attrs_, filter.dim(3), out);
    } else {
      ConvByGemm(in, filter.flat<float>(), g, attrs_, out_c, out);
    }
  }

  void Epilogue(const float* bias, const float* residual, bool activate, int64_t out_c, float* out,
                int64_t n) const {
    for (int64_t i = 0; i < n; ++i) {
      float v = out[i];
      if (bias != nullptr) v += bias[i % out_c];
      if (residual != nullptr) v += residual[i];
      out[i] = activate ? Activate(ops_, v) : v;
    }
  }

  // out = activation(out + addend), the addend broadcast (and the output widened if need be).
  Status AddBroadcastThenActivate(KernelContext& ctx, Tensor& conv) const {
    const Tensor& addend = ctx.input(ops_.add_input());
    auto shape = BroadcastShape(conv.shape(), addend.shape());
    if (!shape.ok()) return ctx.Error(shape.status().message());
    Tensor sum(tensorflow::DT_FLOAT, *shape);
    const std::vector<int64_t> ia = BroadcastIndex(conv.shape(), *shape);
    const std::vector<int64_t> ib = BroadcastIndex(addend.shape(), *shape);
    const float* a = conv.flat<float>();
    const float* b = addend.flat<float>();
    float* o = sum.flat<float>();
    for (int64_t i = 0; i < sum.num_elements(); ++i) o[i] = Activate(ops_, a[ia[i]] + b[ib[i]]);
    ctx.set_output(0, std::move(sum));
    return Status::Ok();
  }

  const WindowAttrs attrs_;
  const bool depthwise_;
  const FusedOps ops_;
  const OneDnnConv onednn_;         // the whole epilogue
  const OneDnnConv onednn_no_add_;  // bias only, when the addend broadcasts
  mutable std::mutex mu_;
  mutable std::shared_ptr<const Folded> folded_;  // the last arguments' folding
};

StatusOr<std::unique_ptr<OpKernel>> CreateFusedConv(const KernelConstruction& c, bool depthwise) {
  TERN_ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Parse(c, /*pool=*/false));
  TERN_ASSIGN_OR_RETURN(FusedOps ops, ParseFusedOps(c));
  if (c.HasAttr("num_args")) {
    TERN_ASSIGN_OR_RETURN(int64_t num_args, c.GetIntAttr("num_args"));
    if (num_args != ops.num_args()) {
      return c.Error("num_args is " + std::to_string(num_args) + " but fused_ops take " +
                     std::to_string(ops.num_args()));
    }
  }
  return std::unique_ptr<OpKernel>(new FusedConvKernel(attrs, depthwise, ops));
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFusedConv2DKernel(const KernelConstruction& c) {
  return CreateFusedConv(c, /*depthwise=*/false);
}

StatusOr<std::unique_ptr<OpKernel>> CreateFusedDepthwiseConv2dNativeKernel(
    const KernelConstruction& c) {
  return CreateFusedConv(c, /*depthwise=*/true);
}

}  // namespace tern
