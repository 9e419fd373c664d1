// Compute cost of the batching benchmark's MLP by batch size, in process (no network): the
// ceiling on what batching can gain. Run: build/tests/mlp_compute_benchmark
#include <benchmark/benchmark.h>

#include <random>

#include "runtime/saved_model/saved_model.h"

namespace tern {
namespace {

void BM_MlpRows(benchmark::State& state) {
  static auto* model =
      SavedModel::Load(TERN_SOURCE_DIR "/tests/models/mlp/model/1", SavedModelLoadOptions{})
          ->release();
  const int64_t rows = state.range(0);
  std::vector<float> x(rows * 256);
  std::mt19937 gen(1);
  std::normal_distribution<float> dist;
  for (auto& v : x) v = dist(gen);
  const std::map<std::string, Tensor> inputs = {
      {"x", Tensor::FromVector<float>(x, TensorShape{rows, 256})}};
  for (auto _ : state) {
    auto out = model->RunSignature("serving_default", inputs, {}, RunOptions{});
    benchmark::DoNotOptimize(out);
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows * state.iterations()),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MlpRows)->Arg(1)->Arg(8)->Arg(32)->Arg(64)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tern

BENCHMARK_MAIN();
