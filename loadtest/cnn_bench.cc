// Per-row compute cost of a SavedModel's serving signature at batch sizes 1..64, single thread,
// no server: isolates the kernels from the batcher and the network. With --op_profile it also
// prints where the time goes by op type (RunOptions::op_timings) for each batch size. With
// --gemm=eigen,auto it runs each batch size once per GEMM path (SetGemmPath), one after the other,
// so Eigen alone and the no-packing kernel for few rows compare under the same machine load.
//   build/loadtest/cnn_bench [--model=build/zoo/small_resnet/1] [--input=image] [--row=32,32,3]
//                            [--op_profile] [--gemm=eigen,auto] --benchmark_format=json
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/kernels/internal/gemm.h"
#include "runtime/saved_model/saved_model.h"

namespace {

struct Config {
  std::string model = "build/zoo/small_resnet/1";
  std::string input = "image";
  std::vector<int64_t> row = {32, 32, 3};
  bool op_profile = false;
  std::vector<std::string> gemm_paths;  // empty: the default path only, unnamed
};

Config& TheConfig() {
  static Config config;
  return config;
}

tern::Tensor MakeBatch(int64_t rows) {
  std::vector<int64_t> dims = {rows};
  for (int64_t d : TheConfig().row) dims.push_back(d);
  tern::Tensor t = tern::Tensor::Create(tensorflow::DT_FLOAT, tern::TensorShape(dims)).value();
  std::mt19937 rng(1);
  std::normal_distribution<float> dist;
  float* p = t.flat<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) p[i] = dist(rng);
  return t;
}

const tern::SavedModel& Model() {
  static const auto* model = [] {
    auto loaded = tern::SavedModel::Load(TheConfig().model, {});
    if (!loaded.ok()) {
      std::fprintf(stderr, "cannot load %s: %s\n", TheConfig().model.c_str(),
                   loaded.status().ToString().c_str());
      std::exit(1);
    }
    return std::move(loaded).value().release();
  }();
  return *model;
}

// The profile of each benchmark's last (longest) run, printed at exit.
std::map<std::string, std::string>& Profiles() {
  static std::map<std::string, std::string> profiles;
  return profiles;
}

void KeepProfile(const std::string& name, const tern::OpTimings& timings, int64_t runs) {
  std::string text = "op profile, " + name + " (ms per run):\n";
  char line[160];
  for (const auto& [op, e] : timings.by_op) {
    std::snprintf(line, sizeof(line), "  %-28s %9.3f ms  (%lld calls)\n", op.c_str(),
                  e.seconds * 1e3 / static_cast<double>(runs),
                  static_cast<long long>(e.calls / runs));
    text += line;
  }
  Profiles()[name] = text;
}

void BM_Signature(benchmark::State& state, tern::GemmPath path, const std::string& profile) {
  const int64_t rows = state.range(0);
  tern::SetGemmPath(path);
  const std::map<std::string, tern::Tensor> inputs = {{TheConfig().input, MakeBatch(rows)}};
  tern::OpTimings timings;
  tern::RunOptions options;
  if (TheConfig().op_profile) options.op_timings = &timings;
  // One untimed run first: a model's first run also creates its oneDNN primitives and reorders
  // its weights, which a loaded machine could otherwise leave in a one-iteration measurement.
  if (auto warm = Model().RunSignature("serving_default", inputs, {}, {}); !warm.ok()) {
    state.SkipWithError(warm.status().ToString().c_str());
    return;
  }
  int64_t runs = 0;
  for (auto _ : state) {
    auto out = Model().RunSignature("serving_default", inputs, {}, options);
    if (!out.ok()) {
      state.SkipWithError(out.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(out);
    ++runs;
  }
  state.counters["us_per_row"] = benchmark::Counter(
      static_cast<double>(rows) * static_cast<double>(runs),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
  if (TheConfig().op_profile && runs > 0) KeepProfile(profile, timings, runs);
  tern::SetGemmPath(tern::GemmPath::kAuto);
}

void Register() {
  for (int64_t rows : {1, 8, 64}) {
    if (TheConfig().gemm_paths.empty()) {
      benchmark::RegisterBenchmark("BM_Signature", BM_Signature, tern::GemmPath::kAuto,
                                   "batch " + std::to_string(rows))
          ->Arg(rows)
          ->Unit(benchmark::kMillisecond);
    }
    for (const std::string& name : TheConfig().gemm_paths) {
      const tern::GemmPath path =
          name == "eigen" ? tern::GemmPath::kEigenOnly : tern::GemmPath::kAuto;
      benchmark::RegisterBenchmark(("BM_Signature/gemm:" + name).c_str(), BM_Signature, path,
                                   "gemm " + name + ", batch " + std::to_string(rows))
          ->Arg(rows)
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) { return std::string(arg.substr(flag.size())); };
    if (arg.rfind("--model=", 0) == 0) {
      TheConfig().model = value("--model=");
    } else if (arg.rfind("--input=", 0) == 0) {
      TheConfig().input = value("--input=");
    } else if (arg.rfind("--row=", 0) == 0) {
      TheConfig().row.clear();
      std::stringstream dims(value("--row="));
      for (std::string d; std::getline(dims, d, ',');) TheConfig().row.push_back(std::stoll(d));
    } else if (arg == "--op_profile") {
      TheConfig().op_profile = true;
    } else if (arg.rfind("--gemm=", 0) == 0) {
      std::stringstream names(value("--gemm="));
      for (std::string name; std::getline(names, name, ',');) {
        if (name != "eigen" && name != "auto") {
          std::fprintf(stderr, "--gemm: expected eigen or auto, got %s\n", name.c_str());
          return 2;
        }
        TheConfig().gemm_paths.push_back(name);
      }
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  Register();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const auto& [name, text] : Profiles()) std::fputs(text.c_str(), stderr);
  return 0;
}
