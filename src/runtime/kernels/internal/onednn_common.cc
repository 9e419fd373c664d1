#include "runtime/kernels/internal/onednn_common.h"

#include <cstdlib>
#include <new>

namespace tern {

const dnnl::engine& OneDnnEngine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& OneDnnThreadStream() {
  thread_local dnnl::stream stream(OneDnnEngine());
  return stream;
}

void* OneDnnThreadScratchpad(size_t bytes) {
  struct Buffer {
    void* data = nullptr;
    size_t size = 0;
    ~Buffer() { std::free(data); }
  };
  thread_local Buffer buffer;
  if (bytes > buffer.size) {
    std::free(buffer.data);
    buffer.data = nullptr;
    buffer.size = 0;
    const size_t rounded = (bytes + 63) / 64 * 64;
    buffer.data = std::aligned_alloc(64, rounded);
    if (buffer.data == nullptr) throw std::bad_alloc();
    buffer.size = rounded;
  }
  return buffer.data;
}

dnnl::memory ReorderedWeights::For(const Tensor& source, const dnnl::memory::desc& user,
                                   const dnnl::memory::desc& wanted) {
  if (!source_.initialized() || source_.flat<float>() != source.flat<float>()) {
    source_ = source;
    reordered_.clear();
  }
  for (const auto& [desc, memory] : reordered_) {
    if (desc == wanted) return memory;
  }
  dnnl::memory from(user, OneDnnEngine(), const_cast<float*>(source.flat<float>()));
  dnnl::memory to(wanted, OneDnnEngine());
  dnnl::reorder(from, to).execute(OneDnnThreadStream(), from, to);
  OneDnnThreadStream().wait();
  reordered_.emplace_back(wanted, to);
  return to;
}

void OneDnnArgs::Execute(const dnnl::primitive& primitive, const float* in, float* out,
                         const dnnl::memory& weights, const float* bias_data) {
  src.set_data_handle(const_cast<float*>(in));
  dst.set_data_handle(out);
  map.insert_or_assign(DNNL_ARG_WEIGHTS, weights);
  if (scratchpad) {
    scratchpad.set_data_handle(OneDnnThreadScratchpad(scratchpad.get_desc().get_size()));
  }
  if (bias) bias.set_data_handle(const_cast<float*>(bias_data));
  primitive.execute(OneDnnThreadStream(), map);
  OneDnnThreadStream().wait();
}

std::unique_ptr<OneDnnArgs> OneDnnArgsPool::Take() const {
  if (std::unique_ptr<OneDnnArgs> args = spare_.Take()) return args;
  const dnnl::engine& engine = OneDnnEngine();
  auto args = std::make_unique<OneDnnArgs>();
  args->src = dnnl::memory(src_, engine, nullptr);
  args->dst = dnnl::memory(dst_, engine, nullptr);
  args->map = {{DNNL_ARG_SRC, args->src}, {DNNL_ARG_DST, args->dst}};
  if (scratchpad_.get_size() > 0) {
    args->scratchpad = dnnl::memory(scratchpad_, engine, nullptr);
    args->map.emplace(DNNL_ARG_SCRATCHPAD, args->scratchpad);
  }
  if (!bias_.is_zero()) {
    args->bias = dnnl::memory(bias_, engine, nullptr);
    args->map.emplace(DNNL_ARG_BIAS, args->bias);
  }
  return args;
}

void AppendActivation(FusedActivation activation, float alpha, dnnl::post_ops* ops) {
  switch (activation) {
    case FusedActivation::kNone:
    case FusedActivation::kGeluApproximate:
    case FusedActivation::kGeluExact: return;
    case FusedActivation::kRelu:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      return;
    case FusedActivation::kRelu6:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f);
      return;
    case FusedActivation::kElu:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f);
      return;
    case FusedActivation::kLeakyRelu:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_relu, alpha, 0.f);
      return;
    case FusedActivation::kSigmoid:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f);
      return;
    case FusedActivation::kSwish:
      ops->append_eltwise(1.f, dnnl::algorithm::eltwise_swish, alpha, 0.f);
      return;
  }
}

}  // namespace tern
