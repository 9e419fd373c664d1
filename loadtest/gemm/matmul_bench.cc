// GFLOP/s of single-threaded float matrix products on the shapes of the models in
// loadtest/runtime_vs_peers.py: the runtime's Gemm (Eigen per ISA, or the no-packing kernel for
// few rows) against oneDNN's (Debian libdnnl 2.x) matmul primitive, with the weights in plain
// row-major layout or reordered once into the layout the primitive picks, and dnnl_sgemm. Every
// oneDNN primitive and memory object is made before the timed loop, as a kernel caching them per
// shape would.
//   build/loadtest/gemm/matmul_bench [--benchmark_filter=bert] [--benchmark_min_time=0.2]
// Names: <shape>/<impl>, e.g. bert_ffn_in/m:1024/onednn_packed; shapes run with every impl
// adjacent so they see the same machine load.
#include <benchmark/benchmark.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/kernels/internal/gemm.h"
#include "runtime/kernels/internal/gemm_packed.h"
#include "runtime/kernels/internal/onednn_common.h"

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// batch products of [m,k] x [k,n] (b transposed: [n,k]); batch > 1 with `shared_b` multiplies
// every batch by one b (a dense layer over a 3-D input).
struct Shape {
  std::string name;
  int64_t batch, m, k, n;
  bool transpose_b;
  bool shared_b = false;
  // b in memory, not in cache: each call reads the next of enough copies to fill 64 MiB, as a
  // model at batch 1 streams its weights once per run.
  bool cold_b = false;
  int64_t b_stride() const { return shared_b ? 0 : k * n; }
  int64_t b_batch() const { return shared_b ? 1 : batch; }
};

std::vector<float> Random(int64_t size, int seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(static_cast<size_t>(size));
  for (float& x : v) x = dist(rng);
  return v;
}

// A timed body for one shape: set up once, then call repeatedly.
using Body = std::function<void()>;
using Setup = std::function<Body(const Shape&, const float* a, const float* b, float* c)>;

Body TernGemm(const Shape& s, const float* a, const float* b, float* c) {
  return [=] {
    for (int64_t i = 0; i < s.batch; ++i) {
      tern::Gemm({.a = a + i * s.m * s.k,
                  .b = b + i * s.b_stride(),
                  .c = c + i * s.m * s.n,
                  .m = s.m,
                  .k = s.k,
                  .n = s.n,
                  .transpose_b = s.transpose_b});
    }
  };
}

// GemmPacked on b packed once (constant weights); where the CPU has no packed kernel, Gemm.
// `bias_relu`: with a dense layer's epilogue applied as tiles are stored (+ bias, ReLU).
Body PackedBody(const Shape& s, const float* a, const float* b, float* c, bool bias_relu) {
  std::shared_ptr<const tern::PackedMatrix> packed =
      tern::PackedMatrix::Create(b, s.k, s.n, s.transpose_b);
  if (packed == nullptr || (s.batch > 1 && !s.shared_b)) return TernGemm(s, a, b, c);
  auto bias =
      std::make_shared<std::vector<float>>(bias_relu ? Random(s.n, 9) : std::vector<float>());
  tern::PackedEpilogue epilogue;
  if (bias_relu) epilogue = {.bias = bias->data(), .activation = tern::StoreActivation::kRelu};
  return [=] {
    (void)bias;  // owns epilogue.bias
    for (int64_t i = 0; i < s.batch; ++i) {
      tern::GemmPacked(a + i * s.m * s.k, s.m, *packed, c + i * s.m * s.n, epilogue);
    }
  };
}

Body TernPacked(const Shape& s, const float* a, const float* b, float* c) {
  return PackedBody(s, a, b, c, false);
}

Body TernPackedBiasRelu(const Shape& s, const float* a, const float* b, float* c) {
  return PackedBody(s, a, b, c, true);
}

// GemmPacked walking b's depths as three segments (as a convolution's taps at an edge pixel are
// walked): the same product, to see what the segmented walk costs against the plain one.
Body TernPackedSegments(const Shape& s, const float* a, const float* b, float* c) {
  std::shared_ptr<const tern::PackedMatrix> packed =
      tern::PackedMatrix::Create(b, s.k, s.n, s.transpose_b);
  if (packed == nullptr || s.batch > 1) return TernGemm(s, a, b, c);
  const int64_t third = s.k / 3;
  auto pairs = std::make_shared<std::vector<int64_t>>(
      std::vector<int64_t>{0, third, third, third, 2 * third, s.k - 2 * third});
  const tern::DepthSegments segments = {.pairs = pairs->data(), .count = 3, .depths = s.k};
  const int64_t panels = (s.n + packed->panel_cols() - 1) / packed->panel_cols();
  return [=] {
    (void)pairs;  // owns segments.pairs
    tern::GemmPackedSegmentsOnCallingThread(a, s.m, segments, *packed, c, 0, panels);
  };
}

Body DnnlSgemm(const Shape& s, const float* a, const float* b, float* c) {
  return [=] {
    for (int64_t i = 0; i < s.batch; ++i) {
      dnnl_sgemm('N', s.transpose_b ? 'T' : 'N', s.m, s.n, s.k, 1.f, a + i * s.m * s.k, s.k,
                 b + i * s.b_stride(), s.transpose_b ? s.k : s.n, 0.f, c + i * s.m * s.n, s.n);
    }
  };
}

// One matmul primitive over all batches. packed: b's layout left to oneDNN and b reordered into
// it once (constant weights); else b as stored.
Body OneDnn(const Shape& s, const float* a, const float* b, float* c, bool packed) {
  const memory::dims a_dims = {s.batch, s.m, s.k}, b_dims = {s.b_batch(), s.k, s.n},
                     c_dims = {s.batch, s.m, s.n};
  const memory::desc a_md(a_dims, memory::data_type::f32, Tag::abc);
  const memory::desc b_user(b_dims, memory::data_type::f32, s.transpose_b ? Tag::acb : Tag::abc);
  const memory::desc b_md =
      packed ? memory::desc(b_dims, memory::data_type::f32, Tag::any) : b_user;
  const memory::desc c_md(c_dims, memory::data_type::f32, Tag::abc);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_md, c_md), attr, tern::OneDnnEngine());
  auto stream = std::make_shared<dnnl::stream>(tern::OneDnnEngine());
  memory user(b_user, tern::OneDnnEngine(), const_cast<float*>(b));
  memory weights = user;
  if (pd.weights_desc() != b_user) {
    weights = memory(pd.weights_desc(), tern::OneDnnEngine());
    dnnl::reorder(user, weights).execute(*stream, user, weights);
    stream->wait();
  }
  auto scratch = std::make_shared<std::vector<char>>(pd.scratchpad_desc().get_size() + 64);
  auto args = std::make_shared<std::unordered_map<int, memory>>();
  (*args)[DNNL_ARG_SRC] = memory(a_md, tern::OneDnnEngine(), const_cast<float*>(a));
  (*args)[DNNL_ARG_WEIGHTS] = weights;
  (*args)[DNNL_ARG_DST] = memory(c_md, tern::OneDnnEngine(), c);
  (*args)[DNNL_ARG_SCRATCHPAD] =
      memory(pd.scratchpad_desc(), tern::OneDnnEngine(), scratch->data());
  auto prim = std::make_shared<dnnl::matmul>(pd);
  // `scratch` is named so the body owns it: args holds only its address.
  return [prim, stream, args, scratch] {
    prim->execute(*stream, *args);
    stream->wait();
  };
}

Body OneDnnPlain(const Shape& s, const float* a, const float* b, float* c) {
  return OneDnn(s, a, b, c, false);
}

Body OneDnnPacked(const Shape& s, const float* a, const float* b, float* c) {
  return OneDnn(s, a, b, c, true);
}

void RegisterOne(const Shape& s, const char* impl_name, Setup setup);

void Register(const Shape& s) {
  struct Impl {
    const char* name;
    Setup setup;
  };
  const Impl impls[] = {
      {"tern_gemm", &TernGemm},
      {"tern_packed", &TernPacked},
      {"tern_packed_segments", &TernPackedSegments},
      {"dnnl_sgemm", &DnnlSgemm},
      {"onednn_plain", &OneDnnPlain},
      {"onednn_packed", &OneDnnPacked},
  };
  for (const Impl& impl : impls) RegisterOne(s, impl.name, impl.setup);
}

void RegisterOne(const Shape& s, const char* impl_name, Setup setup) {
  {
    const std::string name = s.name + "/" + impl_name;
    benchmark::RegisterBenchmark(name.c_str(), [s, setup](benchmark::State& state) {
      const std::vector<float> a = Random(s.batch * s.m * s.k, 1);
      const int64_t b_size = s.b_batch() * s.k * s.n;
      const int64_t copies =
          s.cold_b ? std::max<int64_t>(1, (int64_t{64} << 20) / (b_size * 4)) : 1;
      std::vector<std::vector<float>> b;
      for (int64_t i = 0; i < copies; ++i) b.push_back(Random(b_size, 2 + static_cast<int>(i)));
      std::vector<float> c(static_cast<size_t>(s.batch * s.m * s.n));
      std::vector<Body> bodies;
      for (const std::vector<float>& one_b : b) {
        bodies.push_back(setup(s, a.data(), one_b.data(), c.data()));
      }
      size_t next = 0;
      for (auto _ : state) {
        bodies[next]();
        next = next + 1 == bodies.size() ? 0 : next + 1;
        benchmark::DoNotOptimize(c.data());
      }
      state.counters["GFLOPs"] =
          benchmark::Counter(2.0 * static_cast<double>(s.batch * s.m * s.k * s.n) *
                                 static_cast<double>(state.iterations()) / 1e9,
                             benchmark::Counter::kIsRate);
    })->Unit(benchmark::kMicrosecond);
  }
}

void RegisterAll() {
  // keras_hub BertBackbone of runtime_vs_peers.py: hidden 256, intermediate 1024, 4 heads of 64,
  // sequence 128; M = 128 x batch rows for the dense layers (batch 1, 8).
  for (int64_t rows : {128, 1024}) {
    const std::string m = "/m:" + std::to_string(rows);
    Register({"bert_ffn_in" + m, 1, rows, 256, 1024, false});
    Register({"bert_ffn_out" + m, 1, rows, 1024, 256, false});
    Register({"bert_proj" + m, 1, rows, 256, 256, false});
  }
  // Batch 8 as a loop over sequences sharing the weights (BatchMatMulV2 of [8,128,256] by
  // [256,1024] runs it so).
  Register({"bert_ffn_in/seq:8", 8, 128, 256, 1024, false, true});
  Register({"bert_ffn_out/seq:8", 8, 128, 1024, 256, false, true});
  // Attention per sequence: 4 heads of q [128,64] x k^T and of scores [128,128] x v [128,64].
  Register({"bert_scores/batch:4", 4, 128, 64, 128, true});
  Register({"bert_context/batch:4", 4, 128, 128, 64, false});
  // MobileNetV2's classifier: 1280 features -> 1000 classes, batch 1, 8, 64.
  for (int64_t rows : {1, 8, 64}) {
    Register({"mobilenet_fc/m:" + std::to_string(rows), 1, rows, 1280, 1000, false});
  }
  // DenseNet121's growth layers (3x3, 128 -> 32) over 2x2 maps as copied-out windows, and its
  // bottlenecks (1x1, ~1024 -> 128) over 2x2 and 1x1 maps, at batch 1 and 8.
  for (bool cold : {false, true}) {
    const std::string weights = cold ? "/cold" : "/hot";
    for (int64_t rows : {4, 32, 1024}) {
      Register({"densenet_growth/m:" + std::to_string(rows) + weights, 1, rows, 1152, 32, false,
                false, cold});
    }
    for (int64_t rows : {1, 4, 8, 32}) {
      Register({"densenet_bottleneck/m:" + std::to_string(rows) + weights, 1, rows, 1024, 128,
                false, false, cold});
    }
  }
  // InceptionV3's 3x3 stride-2 288 -> 384 filter over a 7x7 map (3x3 out) and its 1x7 192 -> 192
  // filters over 3x3 maps, as im2col products at batch 1, 8 and 64.
  for (int64_t batch : {1, 8, 64}) {
    Register({"inception_s2/m:" + std::to_string(9 * batch), 1, 9 * batch, 2592, 384, false});
    Register({"inception_1x7/m:" + std::to_string(9 * batch), 1, 9 * batch, 1344, 192, false});
  }
  // The MLP of tests/models/mlp (256 -> 512 -> 512 -> 512 -> 10).
  for (int64_t rows : {1, 8, 64}) {
    Register({"mlp_512/m:" + std::to_string(rows), 1, rows, 512, 512, false});
  }
}

// Where each implementation wins by rows: Eigen (this CPU's build), the no-packing kernel, the
// packed one (b packed once), dnnl_sgemm and oneDNN's matmul primitive (b reordered once) on the
// dense layers above and narrow im2col convolutions, M = 1..128 (names rows/k:K/n:N/m:M/<impl>);
// what gemm.cc's dispatch is drawn from.
void RegisterRows() {
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  auto eigen = avx512 ? &tern::GemmAvx512 : &tern::GemmAvx2Fma;
  auto small = avx512 ? &tern::GemmSmallAvx512 : &tern::GemmSmallAvx2Fma;
  struct Dense {
    int64_t k, n;
    std::vector<int64_t> ms;
  };
  const std::vector<int64_t> rows = {1, 2, 4, 8, 16, 32, 64, 128};
  const Dense shapes[] = {{512, 512, rows},      {1280, 1000, rows},    {256, 1024, rows},
                          {1024, 256, rows},     {256, 256, rows},      {27, 8, {256, 4096}},
                          {72, 16, {256, 4096}}, {144, 16, {256, 4096}}};
  for (const Dense& d : shapes) {
    for (int64_t m : d.ms) {
      const Shape s{
          "rows/k:" + std::to_string(d.k) + "/n:" + std::to_string(d.n) + "/m:" + std::to_string(m),
          1,
          m,
          d.k,
          d.n,
          false};
      struct Impl {
        const char* name;
        Setup setup;
      };
      const Impl impls[] = {
          {"eigen",
           [eigen](const Shape& s, const float* a, const float* b, float* c) -> Body {
             return [=] { eigen({.a = a, .b = b, .c = c, .m = s.m, .k = s.k, .n = s.n}); };
           }},
          {"small",
           [small](const Shape& s, const float* a, const float* b, float* c) -> Body {
             return [=] { small({.a = a, .b = b, .c = c, .m = s.m, .k = s.k, .n = s.n}); };
           }},
          {"packed", &TernPacked},
          {"packed_bias_relu", &TernPackedBiasRelu},
          {"dnnl_sgemm", &DnnlSgemm},
          {"onednn_packed", &OneDnnPacked},
      };
      for (const Impl& impl : impls) RegisterOne(s, impl.name, impl.setup);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  omp_set_num_threads(1);  // one core each; the runtime's Gemm stays on its thread by default
  RegisterAll();
  RegisterRows();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
