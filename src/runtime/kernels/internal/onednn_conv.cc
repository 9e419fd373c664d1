#include "runtime/kernels/internal/onednn_conv.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/intra_op.h"
#include "runtime/kernels/internal/omp_threads.h"
#include "runtime/kernels/internal/onednn_common.h"

namespace tern {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

}  // namespace

struct OneDnnConv::Primitive {
  dnnl::convolution_forward conv;
  memory::desc src, weights, bias, dst, scratchpad;
  memory::desc user_weights;  // the filter as TensorFlow lays it out

  std::unique_ptr<const OneDnnArgsPool> args;  // set once the descs are known
};

struct OneDnnConv::State {
  std::mutex mu;
  // By input shape [N,H,W,C], output channels and threads (oneDNN fixes a primitive's thread
  // count when it creates it); nullptr: oneDNN has no implementation.
  std::map<std::array<int64_t, 6>, std::shared_ptr<const Primitive>> primitives;
  ReorderedWeights weights;  // the filter in the layouts the primitives chose
};

bool OneDnnEnabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("TERN_ONEDNN");
    return value == nullptr || std::strcmp(value, "0") != 0;
  }();
  return enabled;
}

OneDnnConv::OneDnnConv(const WindowAttrs& attrs, bool depthwise, ConvEpilogue epilogue)
    : attrs_(attrs), depthwise_(depthwise), epilogue_(epilogue), state_(new State()) {}

OneDnnConv::~OneDnnConv() = default;

std::shared_ptr<const OneDnnConv::Primitive> OneDnnConv::PrimitiveFor(const WindowGeometry& g,
                                                                      int64_t out_channels) const {
  const memory::dim n = g.batch, c = g.channels, oc = out_channels;
  const memory::dim mult = depthwise_ && c > 0 ? oc / c : 0;
  auto md = [](memory::dims dims, Tag tag) {
    return memory::desc(dims, memory::data_type::f32, tag);
  };
  auto p = std::make_shared<Primitive>();
  p->src = md({n, c, g.in_h, g.in_w}, Tag::nhwc);
  p->dst = md({n, oc, g.out_h, g.out_w}, Tag::nhwc);
  const memory::dims weight_dims =
      depthwise_ ? memory::dims{c, mult, 1, g.k_h, g.k_w} : memory::dims{oc, c, g.k_h, g.k_w};
  p->user_weights = md(weight_dims, depthwise_ ? Tag::hwigo : Tag::hwio);
  const memory::desc any_weights = md(weight_dims, Tag::any);
  if (epilogue_.bias) p->bias = md({oc}, Tag::x);
  // TensorFlow's padding at the end is whatever makes its output size; oneDNN derives the output
  // size from it, and a negative one (VALID leaving input unused) floors to the same size at 0.
  auto pad_end = [](int64_t out, int64_t stride, int64_t k, int64_t dilation, int64_t in,
                    int64_t pad_begin) {
    return std::max<int64_t>(0, (out - 1) * stride + (k - 1) * dilation + 1 - in - pad_begin);
  };
  const memory::dims strides = {attrs_.stride_h, attrs_.stride_w};
  const memory::dims dilates = {attrs_.dilation_h - 1, attrs_.dilation_w - 1};
  const memory::dims pad_l = {g.pad_top, g.pad_left};
  const memory::dims pad_r = {
      pad_end(g.out_h, attrs_.stride_h, g.k_h, attrs_.dilation_h, g.in_h, g.pad_top),
      pad_end(g.out_w, attrs_.stride_w, g.k_w, attrs_.dilation_w, g.in_w, g.pad_left)};
  try {
    dnnl::post_ops ops;
    if (epilogue_.residual) ops.append_binary(dnnl::algorithm::binary_add, p->dst);
    AppendActivation(epilogue_.activation, epilogue_.alpha, &ops);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const auto kind = dnnl::prop_kind::forward_inference;
    const auto algorithm = dnnl::algorithm::convolution_direct;
    const dnnl::convolution_forward::desc desc =
        epilogue_.bias
            ? dnnl::convolution_forward::desc(kind, algorithm, p->src, any_weights, p->bias, p->dst,
                                              strides, dilates, pad_l, pad_r)
            : dnnl::convolution_forward::desc(kind, algorithm, p->src, any_weights, p->dst, strides,
                                              dilates, pad_l, pad_r);
    dnnl::convolution_forward::primitive_desc pd(desc, attr, OneDnnEngine());
    // oneDNN may only offer a reference implementation for odd shapes; the own kernels are
    // faster than that.
    const std::string impl = pd.impl_info_str();
    if (impl.rfind("ref", 0) == 0) return nullptr;
    p->weights = pd.weights_desc();
    p->scratchpad = pd.scratchpad_desc();
    p->conv = dnnl::convolution_forward(pd);
    p->args = std::make_unique<const OneDnnArgsPool>(p->src, p->dst, p->scratchpad, p->bias);
  } catch (const dnnl::error&) {
    return nullptr;
  }
  return p;
}

bool OneDnnConv::Run(const WindowGeometry& g, const float* in, const Tensor& filter,
                     const float* bias, const float* residual, float* out) const {
  const int64_t out_channels = depthwise_ ? g.channels * filter.dim(3) : filter.dim(3);
  // Idle cores only for convolutions with work to share: below ~1 MFLOP a parallel region costs
  // about what it saves.
  const double flops = 2.0 * static_cast<double>(g.batch * g.out_h * g.out_w * out_channels) *
                       static_cast<double>(g.k_h * g.k_w) *
                       static_cast<double>(depthwise_ ? 1 : g.channels);
  std::optional<IntraOpThreads::OpScope> cores;
  if (flops >= 1e6) cores.emplace();
  const int threads = cores ? cores->threads() : 1;
  UseOmpThreads(threads);
  std::shared_ptr<const Primitive> p;
  memory weights;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    const std::array<int64_t, 6> key = {g.batch, g.in_h, g.in_w, g.channels, out_channels, threads};
    auto it = state_->primitives.find(key);
    if (it == state_->primitives.end()) {
      it = state_->primitives.emplace(key, PrimitiveFor(g, out_channels)).first;
    }
    p = it->second;
    if (p == nullptr) return false;
    weights = state_->weights.For(filter, p->user_weights, p->weights);
  }
  std::unique_ptr<OneDnnArgs> args = p->args->Take();
  if (epilogue_.residual) {
    if (!args->residual) {
      args->residual = memory(p->dst, OneDnnEngine(), nullptr);
      args->map.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, args->residual);
    }
    args->residual.set_data_handle(const_cast<float*>(residual));
  }
  args->Execute(p->conv, in, out, weights, bias);
  p->args->GiveBack(std::move(args));
  return true;
}

}  // namespace tern
