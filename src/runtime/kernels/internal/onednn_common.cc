#include "runtime/kernels/internal/onednn_common.h"

#include <cstdlib>
#include <new>
#include <string>

#include "runtime/kernels/internal/weight_arena.h"

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

ReorderedWeights::InUse ReorderedWeights::For(const Tensor& source, const dnnl::memory::desc& user,
                                              const dnnl::memory::desc& wanted) {
  if (!source_.initialized() || source_.flat<float>() != source.flat<float>()) {
    source_ = source;
    reordered_.clear();
  }
  for (const Reordered& r : reordered_) {
    if (r.desc == wanted) return r.copy;
  }
  dnnl::memory from(user, OneDnnEngine(), const_cast<float*>(source.flat<float>()));
  InUse copy;
  copy.owner = AllocateWeightMemory(wanted.get_size());
  copy.memory = dnnl::memory(wanted, OneDnnEngine(), copy.owner.get());
  dnnl::reorder(from, copy.memory).execute(OneDnnThreadStream(), from, copy.memory);
  OneDnnThreadStream().wait();
  reordered_.push_back({wanted, copy});
  return copy;
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

namespace {

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

}  // namespace

dnnl::primitive_attr EpilogueAttr(const dnnl::memory::desc* residual_dst,
                                  FusedActivation activation, float alpha) {
  dnnl::post_ops ops;
  if (residual_dst != nullptr) ops.append_binary(dnnl::algorithm::binary_add, *residual_dst);
  AppendActivation(activation, alpha, &ops);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

bool IsReferenceImpl(const dnnl::primitive_desc_base& pd) {
  return std::string(pd.impl_info_str()).rfind("ref", 0) == 0;
}

bool IsGemmImpl(const dnnl::primitive_desc_base& pd) {
  return std::string(pd.impl_info_str()).find("gemm") != std::string::npos;
}

bool OneDnnMatMulPacksWeights() {
  static const bool packs = [] {
    using dnnl::memory;
    const memory::desc src({16, 256}, memory::data_type::f32, memory::format_tag::ab);
    const memory::desc weights({256, 256}, memory::data_type::f32, memory::format_tag::any);
    const memory::desc dst({16, 256}, memory::data_type::f32, memory::format_tag::ab);
    try {
      const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, weights, dst), OneDnnEngine());
      return std::string(pd.impl_info_str()).rfind("brg", 0) == 0;
    } catch (const dnnl::error&) {
      return false;
    }
  }();
  return packs;
}

namespace {

// The packed layout asked of oneDNN for the weights [k, n] of a product of `rows` rows. Left to
// itself (format_tag::any) its brgemm matmul packs f32 weights in 64-column panels (BA16a64b).
// Measured (AMD EPYC Zen 4, one thread; docs/benchmarks.md "Weight panels"):
// - one row: only products whose weights come from memory run on the primitive
//   (OnePixelConvRunsOnPrimitive, OneRowDenseRunsOnPrimitive), and there 16-column panels,
//   which the kernel reads as many streams at once, read them fastest (1 x 1280 x 320: 0.61x,
//   1 x 2048 x 448: 0.64x, 1 x 1280 x 1000: 0.51x of the 64-column time; 32-column 0.66-0.78x);
//   in cache they lose 1.2-1.5x, which the callers' bars keep away from;
// - 32-column panels ran 1.1-2x faster on products of at most kFewRows rows and fewer than
//   kWideCols columns, from memory and from cache (8x1152x192: 0.65x; 2x960x160: 0.49x), and
//   on any product whose n the 64-column panels pad more (n = 96, 160: 0.72x at 256 rows).
// Elsewhere the two were level.
constexpr int64_t kFewRows = 16;
constexpr int64_t kWideCols = 512;

dnnl::memory::format_tag WeightsLayoutFor(int64_t rows, int64_t cols) {
  if (rows == 1) return dnnl::memory::format_tag::BA16a16b;
  const auto padded = [cols](int64_t panel) { return (cols + panel - 1) / panel * panel; };
  if (padded(32) < padded(64) || (rows <= kFewRows && cols < kWideCols)) {
    return dnnl::memory::format_tag::BA16a32b;
  }
  return dnnl::memory::format_tag::any;
}

std::optional<OneDnnMatMulPrimitive> TryMatMul(const dnnl::memory::desc& src,
                                               const dnnl::memory::desc& bias,
                                               const dnnl::memory::desc& dst,
                                               const dnnl::primitive_attr& attr,
                                               dnnl::memory::format_tag weights_layout) {
  const dnnl::memory::desc weights({src.dims()[1], dst.dims()[1]}, dnnl::memory::data_type::f32,
                                   weights_layout);
  try {
    const dnnl::matmul::desc desc = bias.get_size() > 0
                                        ? dnnl::matmul::desc(src, weights, bias, dst)
                                        : dnnl::matmul::desc(src, weights, dst);
    const dnnl::matmul::primitive_desc pd(desc, attr, OneDnnEngine());
    if (IsReferenceImpl(pd)) return std::nullopt;
    return OneDnnMatMulPrimitive{dnnl::matmul(pd), pd.weights_desc(), pd.scratchpad_desc()};
  } catch (const dnnl::error&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<OneDnnMatMulPrimitive> CreateOneDnnMatMul(const dnnl::memory::desc& src,
                                                        const dnnl::memory::desc& bias,
                                                        const dnnl::memory::desc& dst,
                                                        const dnnl::primitive_attr& attr) {
  const dnnl::memory::format_tag wanted = WeightsLayoutFor(src.dims()[0], dst.dims()[1]);
  if (wanted != dnnl::memory::format_tag::any) {
    if (std::optional<OneDnnMatMulPrimitive> made = TryMatMul(src, bias, dst, attr, wanted)) {
      return made;
    }
  }
  return TryMatMul(src, bias, dst, attr, dnnl::memory::format_tag::any);
}

}  // namespace tern
