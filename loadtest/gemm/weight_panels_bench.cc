// Which packed layout of the weights makes oneDNN's f32 matmul fastest for one product shape:
// the layout it picks itself (format_tag::any: 64-column panels, BA16a64b) against 48-, 32- and
// 16-column panels, each timed with the weights in cache (one copy) and from memory (each call
// reads the next of enough copies to fill 48 MiB), and the runtime's Gemm on the weights as they
// lie (for one row, its GEMV). All run interleaved, seven rounds; medians, as ratios to the
// layout oneDNN picks.
//   build/loadtest/gemm/weight_panels_bench M K N [M K N ...]
// CreateOneDnnMatMul (runtime/kernels/internal/onednn_common.cc) asks for the layout these
// measurements favour, and OnePixelConvRunsOnPrimitive and OneRowDenseRunsOnPrimitive
// (onednn_common.h) pick between the primitive and the GEMV from them and from per-layer times
// in the models; docs/benchmarks.md "Weight panels" has the figures.
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "runtime/kernels/internal/gemm.h"

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

struct Layout {
  Tag tag;
  const char* name;
};
constexpr Layout kLayouts[] = {{Tag::any, "picked"},
                               {Tag::BA16a48b, "48-col"},
                               {Tag::BA16a32b, "32-col"},
                               {Tag::BA16a16b, "16-col"}};
constexpr int kRounds = 7;
constexpr size_t kColdBytes = size_t{48} << 20;

struct Candidate {
  dnnl::matmul matmul;
  std::vector<memory> copies;  // the packed weights, enough of them to fill kColdBytes
  std::vector<double> hot_us, cold_us;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Measure(const dnnl::engine& engine, dnnl::stream& stream, int64_t m, int64_t k, int64_t n) {
  const memory::desc src_desc({m, k}, memory::data_type::f32, Tag::ab);
  const memory::desc dst_desc({m, n}, memory::data_type::f32, Tag::ab);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n));
  std::vector<float> c(static_cast<size_t>(m * n));
  for (float& x : a) x = dist(rng);
  for (float& x : b) x = dist(rng);
  memory src(src_desc, engine, a.data()), dst(dst_desc, engine, c.data());
  memory plain({{k, n}, memory::data_type::f32, Tag::ab}, engine, b.data());

  std::vector<Candidate> candidates;
  for (const Layout& layout : kLayouts) {
    const memory::desc weights({k, n}, memory::data_type::f32, layout.tag);
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src_desc, weights, dst_desc), engine);
    Candidate candidate{dnnl::matmul(pd), {}, {}, {}};
    const size_t count = kColdBytes / pd.weights_desc().get_size() + 1;
    for (size_t i = 0; i < count; ++i) {
      candidate.copies.emplace_back(pd.weights_desc(), engine);
      dnnl::reorder(plain, candidate.copies.back()).execute(stream, plain, candidate.copies.back());
    }
    candidates.push_back(std::move(candidate));
  }
  std::vector<std::vector<float>> plain_copies(kColdBytes / (b.size() * sizeof(float)) + 1, b);
  std::vector<double> gemm_hot_us, gemm_cold_us;
  const int64_t calls = std::max<int64_t>(50, 200'000'000 / (m * k * n + 1));
  const auto time_gemm_us = [&](bool cold) {
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < calls; ++i) {
      const std::vector<float>& weights = plain_copies[cold ? i % plain_copies.size() : 0];
      tern::Gemm({.a = a.data(), .b = weights.data(), .c = c.data(), .m = m, .k = k, .n = n});
    }
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
               .count() /
           static_cast<double>(calls);
  };
  const auto time_us = [&](Candidate& candidate, bool cold) {
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < calls; ++i) {
      const memory& weights = candidate.copies[cold ? i % candidate.copies.size() : 0];
      candidate.matmul.execute(
          stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}});
    }
    stream.wait();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
               .count() /
           static_cast<double>(calls);
  };
  for (int round = 0; round < kRounds; ++round) {
    time_gemm_us(/*cold=*/false);  // warm-up
    gemm_hot_us.push_back(time_gemm_us(false));
    gemm_cold_us.push_back(time_gemm_us(true));
    for (Candidate& candidate : candidates) {
      time_us(candidate, /*cold=*/false);  // warm-up
      candidate.hot_us.push_back(time_us(candidate, false));
      candidate.cold_us.push_back(time_us(candidate, true));
    }
  }
  const double hot = Median(candidates[0].hot_us), cold = Median(candidates[0].cold_us);
  std::printf("%5lldx%5lldx%5lld  picked: %8.2f us cached, %8.2f us from memory |",
              static_cast<long long>(m), static_cast<long long>(k), static_cast<long long>(n), hot,
              cold);
  for (size_t i = 1; i < candidates.size(); ++i) {
    std::printf(" %s %.2f / %.2f", kLayouts[i].name, Median(candidates[i].hot_us) / hot,
                Median(candidates[i].cold_us) / cold);
  }
  std::printf(" | Gemm %.2f / %.2f\n", Median(gemm_hot_us) / hot, Median(gemm_cold_us) / cold);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || (argc - 1) % 3 != 0) {
    std::fprintf(stderr, "usage: weight_panels_bench M K N [M K N ...]\n");
    return 2;
  }
  const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  for (int i = 1; i + 2 < argc; i += 3) {
    Measure(engine, stream, std::atoll(argv[i]), std::atoll(argv[i + 1]), std::atoll(argv[i + 2]));
  }
  return 0;
}
