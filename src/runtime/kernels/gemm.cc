#include "runtime/kernels/gemm.h"

#include <atomic>

namespace tern {
namespace {

struct Choice {
  void (*eigen)(const GemmArgs&);
  void (*small)(const GemmArgs&);  // nullptr where the CPU has no AVX2+FMA
  const char* name;
};

Choice Choose() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) {
    return {&GemmAvx512, &GemmSmallAvx512, "avx512"};
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {&GemmAvx2Fma, &GemmSmallAvx2Fma, "avx2_fma"};
  }
#endif
  return {&GemmBaseline, nullptr, "baseline"};
}

const Choice& TheChoice() {
  static const Choice choice = Choose();
  return choice;
}

std::atomic<GemmPath> the_path{GemmPath::kAuto};

// Where the no-packing kernel beat Eigen in loadtest/gemm/small_gemm.py (see README).
bool SmallIsFaster(const GemmArgs& g) { return g.m <= 64; }

}  // namespace

void SetGemmPath(GemmPath path) { the_path.store(path, std::memory_order_relaxed); }

bool GemmTakesSmallPath(const GemmArgs& args) {
  return TheChoice().small != nullptr && !args.transpose_b &&
         the_path.load(std::memory_order_relaxed) == GemmPath::kAuto && SmallIsFaster(args);
}

void Gemm(const GemmArgs& args) {
  if (GemmTakesSmallPath(args)) {
    TheChoice().small(args);
  } else {
    TheChoice().eigen(args);
  }
}

std::string GemmIsa() { return TheChoice().name; }

}  // namespace tern
