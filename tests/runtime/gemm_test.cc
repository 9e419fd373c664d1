// Every ISA build of Gemm that this CPU can run, against a plain triple loop in double, for the
// four transpose combinations and shapes around the kernels' block edges.
#include "runtime/kernels/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace tern {
namespace {

struct Isa {
  const char* name;
  void (*fn)(const GemmArgs&);
  bool runs_here;
};

std::vector<Isa> Isas() {
  __builtin_cpu_init();
  return {{"baseline", &GemmBaseline, true},
          {"avx2_fma", &GemmAvx2Fma,
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
          {"avx512", &GemmAvx512,
           __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")}};
}

TEST(GemmTest, EveryIsaMatchesTheReference) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1, 1);
  const int64_t shapes[][3] = {{1, 1, 1}, {1, 512, 512}, {3, 17, 5}, {33, 65, 31}, {64, 256, 48}};
  for (const Isa& isa : Isas()) {
    if (!isa.runs_here) continue;
    for (const auto& s : shapes) {
      const int64_t m = s[0], k = s[1], n = s[2];
      for (int t = 0; t < 4; ++t) {
        const bool ta = t & 1, tb = t & 2;
        std::vector<float> a(m * k), b(k * n), c(m * n, 123.0f);
        for (float& x : a) x = dist(rng);
        for (float& x : b) x = dist(rng);
        isa.fn({.a = a.data(), .b = b.data(), .c = c.data(), .m = m, .k = k, .n = n,
                .transpose_a = ta, .transpose_b = tb});
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            double want = 0;
            for (int64_t p = 0; p < k; ++p) {
              want += double(ta ? a[p * m + i] : a[i * k + p]) *
                      double(tb ? b[j * k + p] : b[p * n + j]);
            }
            ASSERT_NEAR(c[i * n + j], want, 1e-5 + 1e-5 * std::abs(want) + 1e-6 * k)
                << isa.name << " m=" << m << " k=" << k << " n=" << n << " ta=" << ta
                << " tb=" << tb << " at " << i << "," << j;
          }
        }
      }
    }
  }
}

TEST(GemmTest, DispatchPicksTheWidestIsaThisCpuRuns) {
  std::string widest = "baseline";
  for (const Isa& isa : Isas()) {
    if (isa.runs_here) widest = isa.name;
  }
  EXPECT_EQ(GemmIsa(), widest);
}

}  // namespace
}  // namespace tern
