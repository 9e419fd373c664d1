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

namespace tern {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

const dnnl::engine& Engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& ThreadStream() {
  thread_local dnnl::stream stream(Engine());
  return stream;
}

// A primitive's scratchpad, per thread (a primitive may run in several threads at once).
void* ThreadScratchpad(size_t bytes) {
  struct Buffer {
    void* data = nullptr;
    size_t size = 0;
    ~Buffer() { std::free(data); }
  };
  thread_local Buffer buffer;
  if (bytes > buffer.size) {
    std::free(buffer.data);
    buffer.size = (bytes + 63) / 64 * 64;
    buffer.data = std::aligned_alloc(64, buffer.size);
    if (buffer.data == nullptr) throw std::bad_alloc();
  }
  return buffer.data;
}

void AppendActivation(const ConvEpilogue& e, dnnl::post_ops* ops) {
  switch (e.activation) {
    case ConvActivation::kNone: return;
    case ConvActivation::kRelu:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      return;
    case ConvActivation::kRelu6:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f);
      return;
    case ConvActivation::kElu:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f);
      return;
    case ConvActivation::kLeakyRelu:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_relu, e.alpha, 0.f);
      return;
    case ConvActivation::kSigmoid:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f);
      return;
    case ConvActivation::kSwish:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_swish, e.alpha, 0.f);
      return;
  }
}

}  // namespace

struct OneDnnConv::Primitive {
  dnnl::convolution_forward conv;
  memory::desc src, weights, bias, dst, scratchpad;
  memory::desc user_weights;  // the filter as TensorFlow lays it out

  // The memory objects of one execute, pointed at a run's buffers. Creating them per run cost a
  // batch-1 MobileNetV2 about 5% of its time, so a run takes a spare set (or makes one) and gives
  // it back.
  struct Args {
    memory src, dst, scratchpad, bias, residual;
    std::unordered_map<int, memory> map;
  };
  mutable std::mutex spare_mu;
  mutable std::vector<std::unique_ptr<Args>> spare;

  std::unique_ptr<Args> TakeArgs() const;
  void GiveBack(std::unique_ptr<Args> args) const;
};

std::unique_ptr<OneDnnConv::Primitive::Args> OneDnnConv::Primitive::TakeArgs() const {
  {
    std::lock_guard<std::mutex> lock(spare_mu);
    if (!spare.empty()) {
      std::unique_ptr<Args> args = std::move(spare.back());
      spare.pop_back();
      return args;
    }
  }
  const dnnl::engine& engine = Engine();
  auto args = std::make_unique<Args>();
  args->src = memory(src, engine, nullptr);
  args->dst = memory(dst, engine, nullptr);
  args->map = {{DNNL_ARG_SRC, args->src}, {DNNL_ARG_DST, args->dst}};
  if (scratchpad.get_size() > 0) {
    args->scratchpad = memory(scratchpad, engine, nullptr);
    args->map.emplace(DNNL_ARG_SCRATCHPAD, args->scratchpad);
  }
  if (!bias.is_zero()) {
    args->bias = memory(bias, engine, nullptr);
    args->map.emplace(DNNL_ARG_BIAS, args->bias);
  }
  return args;
}

void OneDnnConv::Primitive::GiveBack(std::unique_ptr<Args> args) const {
  std::lock_guard<std::mutex> lock(spare_mu);
  spare.push_back(std::move(args));
}

struct OneDnnConv::State {
  std::mutex mu;
  // By input shape [N,H,W,C], output channels and threads (oneDNN fixes a primitive's thread
  // count when it creates it); nullptr: oneDNN has no implementation.
  std::map<std::array<int64_t, 6>, std::shared_ptr<const Primitive>> primitives;
  // The filter the reordered weights below were made from (held, so its buffer is not reused).
  Tensor filter;
  std::vector<std::pair<memory::desc, memory>> weights;  // by the layout a primitive chose
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
    AppendActivation(epilogue_, &ops);
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
    dnnl::convolution_forward::primitive_desc pd(desc, attr, Engine());
    // oneDNN may only offer a reference implementation for odd shapes; the own kernels are
    // faster than that.
    const std::string impl = pd.impl_info_str();
    if (impl.rfind("ref", 0) == 0) return nullptr;
    p->weights = pd.weights_desc();
    p->scratchpad = pd.scratchpad_desc();
    p->conv = dnnl::convolution_forward(pd);
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
    if (!state_->filter.initialized() || state_->filter.flat<float>() != filter.flat<float>()) {
      state_->filter = filter;
      state_->weights.clear();
    }
    for (const auto& [desc, mem] : state_->weights) {
      if (desc == p->weights) weights = mem;
    }
    if (!weights) {
      memory user(p->user_weights, Engine(), const_cast<float*>(filter.flat<float>()));
      weights = memory(p->weights, Engine());
      dnnl::reorder(user, weights).execute(ThreadStream(), user, weights);
      ThreadStream().wait();
      state_->weights.emplace_back(p->weights, weights);
    }
  }
  std::unique_ptr<Primitive::Args> args = p->TakeArgs();
  args->src.set_data_handle(const_cast<float*>(in));
  args->dst.set_data_handle(out);
  args->map.insert_or_assign(DNNL_ARG_WEIGHTS, weights);
  if (args->scratchpad) {
    args->scratchpad.set_data_handle(ThreadScratchpad(p->scratchpad.get_size()));
  }
  if (args->bias) args->bias.set_data_handle(const_cast<float*>(bias));
  if (epilogue_.residual) {
    if (!args->residual) {
      args->residual = memory(p->dst, Engine(), nullptr);
      args->map.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, args->residual);
    }
    args->residual.set_data_handle(const_cast<float*>(residual));
  }
  p->conv.execute(ThreadStream(), args->map);
  ThreadStream().wait();
  p->GiveBack(std::move(args));
  return true;
}

}  // namespace tern
