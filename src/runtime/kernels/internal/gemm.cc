#include "runtime/kernels/internal/gemm.h"

#include <atomic>

namespace tern {
namespace {

// Where the no-packing kernel beat Eigen, from loadtest/gemm/small_gemm.py (README, "GEMM"): for
// a B of at most kNarrowCols columns (the convolutions here: 8 or 16 output channels) at every M
// measured (1..1024), since Eigen's packed tiles waste most of their lanes there; for a wider B
// at 2..small_max_rows rows. One row of a wide B stays with Eigen's GEMV, which streams B in
// order and was faster.
constexpr int64_t kNarrowCols = 16;

struct Choice {
  void (*eigen)(const GemmArgs&);
  void (*small)(const GemmArgs&);  // nullptr where the CPU has no AVX2+FMA
  int64_t small_max_rows;          // for a wide B
  const char* name;
};

Choice Choose() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) {
    return {&GemmAvx512, &GemmSmallAvx512, 64, "avx512"};
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {&GemmAvx2Fma, &GemmSmallAvx2Fma, 32, "avx2_fma"};
  }
#endif
  return {&GemmBaseline, nullptr, 0, "baseline"};
}

const Choice& TheChoice() {
  static const Choice choice = Choose();
  return choice;
}

std::atomic<GemmPath> the_path{GemmPath::kAuto};

bool SmallIsFaster(const GemmArgs& g, const Choice& choice) {
  return g.n <= kNarrowCols || (g.m >= 2 && g.m <= choice.small_max_rows);
}

}  // namespace

void SetGemmPath(GemmPath path) { the_path.store(path, std::memory_order_relaxed); }

bool GemmTakesSmallPath(const GemmArgs& args) {
  return TheChoice().small != nullptr && !args.transpose_b &&
         the_path.load(std::memory_order_relaxed) == GemmPath::kAuto &&
         SmallIsFaster(args, TheChoice());
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
