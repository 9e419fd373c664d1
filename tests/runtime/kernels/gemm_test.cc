// Every ISA build of Gemm that this CPU can run, against a plain triple loop in double, for the
// four transpose combinations and shapes around the kernels' block edges.
#include "runtime/kernels/internal/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iterator>
#include <random>
#include <vector>

#include "runtime/intra_op.h"

namespace tern {
namespace {

struct Isa {
  const char* name;
  void (*fn)(const GemmArgs&);
  bool runs_here;
};

std::vector<Isa> Isas() {
  __builtin_cpu_init();
  return {
      {"baseline", &GemmBaseline, true},
      {"avx2_fma", &GemmAvx2Fma, __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
      {"avx512", &GemmAvx512,
       __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")}};
}

// fn's product of random [m,k] x [k,n] (each operand stored transposed when asked) against a
// plain triple loop in double, with a tolerance that grows with the depth (float accumulation in
// any order).
void ExpectMatchesReference(void (*fn)(const GemmArgs&), const char* name, int64_t m, int64_t k,
                            int64_t n, bool transpose_a, std::mt19937& rng,
                            bool transpose_b = false) {
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(m * k), b(k * n), c(m * n, 123.0f);
  for (float& x : a) x = dist(rng);
  for (float& x : b) x = dist(rng);
  fn({.a = a.data(),
      .b = b.data(),
      .c = c.data(),
      .m = m,
      .k = k,
      .n = n,
      .transpose_a = transpose_a,
      .transpose_b = transpose_b});
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double want = 0;
      for (int64_t p = 0; p < k; ++p) {
        want += double(transpose_a ? a[p * m + i] : a[i * k + p]) *
                double(transpose_b ? b[j * k + p] : b[p * n + j]);
      }
      ASSERT_NEAR(c[i * n + j], want, 1e-5 + 1e-5 * std::abs(want) + 1e-6 * k)
          << name << " m=" << m << " k=" << k << " n=" << n << " ta=" << transpose_a
          << " tb=" << transpose_b << " at " << i << "," << j;
    }
  }
}

TEST(GemmTest, EveryIsaMatchesTheReference) {
  std::mt19937 rng(7);
  const int64_t shapes[][3] = {{1, 1, 1}, {1, 512, 512}, {3, 17, 5}, {33, 65, 31}, {64, 256, 48}};
  for (const Isa& isa : Isas()) {
    if (!isa.runs_here) continue;
    for (const auto& s : shapes) {
      for (int t = 0; t < 4; ++t) {
        ExpectMatchesReference(isa.fn, isa.name, s[0], s[1], s[2], t & 1, rng, t & 2);
      }
    }
  }
}

#if defined(__x86_64__)
std::vector<Isa> SmallIsas() {
  __builtin_cpu_init();
  return {{"small_avx2_fma", &GemmSmallAvx2Fma,
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
          {"small_avx512", &GemmSmallAvx512,
           __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")}};
}

// Every row count a tile or a block can end on (1..70), depths and widths on and off the vector
// width (8 or 16), K = 1 and N = 1, both layouts of A.
TEST(GemmTest, SmallKernelMatchesTheReferenceForRandomShapes) {
  int ran = 0;
  for (const Isa& isa : SmallIsas()) {
    if (!isa.runs_here) continue;
    ++ran;
    std::mt19937 rng(11);
    const int64_t depths[] = {1, 2, 7, 16, 33, 100, 257};
    const int64_t widths[] = {1, 3, 8, 15, 16, 17, 31, 40, 64, 65, 100, 129};
    for (int64_t m = 1; m <= 70; ++m) {
      const int64_t k = depths[rng() % std::size(depths)];
      const int64_t n = widths[rng() % std::size(widths)];
      ExpectMatchesReference(isa.fn, isa.name, m, k, n, /*transpose_a=*/m % 3 == 0, rng);
      if (HasFatalFailure()) return;
    }
    for (int64_t k : depths) {
      for (int64_t n : widths) {
        ExpectMatchesReference(isa.fn, isa.name, 1 + static_cast<int64_t>(rng() % 20), k, n,
                               /*transpose_a=*/false, rng);
        if (HasFatalFailure()) return;
      }
    }
    // A column panel narrower than N (512 KiB of B is 128 columns at K = 1024), M past a block.
    ExpectMatchesReference(isa.fn, isa.name, 9, 1024, 300, /*transpose_a=*/false, rng);
    ExpectMatchesReference(isa.fn, isa.name, 13, 1024, 300, /*transpose_a=*/true, rng);
  }
  if (ran == 0) GTEST_SKIP() << "this CPU has neither AVX2+FMA nor AVX-512";
}

// The small kernel leaves every element of C outside [m,n] alone (masked tails store nothing
// past the row) and writes every element inside (C starts as garbage).
TEST(GemmTest, SmallKernelWritesExactlyC) {
  for (const Isa& isa : SmallIsas()) {
    if (!isa.runs_here) continue;
    const int64_t m = 5, k = 3, n = 13;
    std::vector<float> a(m * k, 1.0f), b(k * n, 2.0f);
    std::vector<float> c(m * n + 64, -7.0f);
    isa.fn({.a = a.data(), .b = b.data(), .c = c.data(), .m = m, .k = k, .n = n});
    for (int64_t i = 0; i < m * n; ++i) ASSERT_EQ(c[i], 6.0f) << isa.name << " at " << i;
    for (int64_t i = m * n; i < m * n + 64; ++i) ASSERT_EQ(c[i], -7.0f) << isa.name << " at " << i;
  }
}
#endif

constexpr GemmPath kPaths[] = {GemmPath::kAuto, GemmPath::kNoOneDnn, GemmPath::kEigenOnly};

// Gemm through the dispatcher, on every path, for shapes on each side of the switch-overs.
TEST(GemmTest, DispatchedGemmMatchesTheReferenceOnEveryPath) {
  std::mt19937 rng(5);
  for (GemmPath path : kPaths) {
    SetGemmPath(path);
    for (int64_t m : {1, 2, 8, 9, 64, 65, 200}) {
      ExpectMatchesReference(&Gemm, "Gemm", m, 72, 16, /*transpose_a=*/false, rng);
      ExpectMatchesReference(&Gemm, "Gemm", m, 256, 40, /*transpose_a=*/true, rng);
      ExpectMatchesReference(&Gemm, "Gemm", m, 300, 520, /*transpose_a=*/false, rng);
      ExpectMatchesReference(&Gemm, "Gemm", m, 64, 130, /*transpose_a=*/false, rng,
                             /*transpose_b=*/true);
    }
  }
  SetGemmPath(GemmPath::kAuto);
}

// oneDNN's sgemm on its own: every transpose combination, and row strides wider than the rows
// (a block of a larger matrix), which must leave the rest of C alone.
TEST(GemmTest, OneDnnSgemmMatchesTheReference) {
  std::mt19937 rng(11);
  auto one_dnn = [](const GemmArgs& args) { ASSERT_TRUE(GemmOneDnn(args)); };
  for (int t = 0; t < 4; ++t) {
    ExpectMatchesReference(one_dnn, "oneDNN", 37, 91, 45, t & 1, rng, t & 2);
  }
  const int64_t m = 5, k = 3, n = 13, ld = 20;
  std::vector<float> a(m * ld, 1.0f), b(k * ld, 2.0f), c(m * ld, -7.0f);
  ASSERT_TRUE(GemmOneDnn({.a = a.data(),
                          .b = b.data(),
                          .c = c.data(),
                          .m = m,
                          .k = k,
                          .n = n,
                          .lda = ld,
                          .ldb = ld,
                          .ldc = ld}));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < ld; ++j)
      ASSERT_EQ(c[i * ld + j], j < n ? 6.0f : -7.0f) << i << "," << j;
  }
}

// A product large enough to split, with idle cores lent (IntraOpThreads' limit above 1): by rows
// of C; when C has few rows, by depth (a row-major b, partial products summed) or by columns (a
// transposed b); every transpose combination, on either path, and a depth no core count divides.
TEST(GemmTest, ProductSplitAmongThreadsMatchesTheReference) {
  IntraOpThreads::SetLimit(4);
  std::mt19937 rng(9);
  const int64_t shapes[][3] = {
      {256, 96, 200}, {2, 512, 1000}, {1, 2048, 1030}, {97, 333, 129}, {3, 1001, 70}};
  for (GemmPath path : kPaths) {
    SetGemmPath(path);
    for (const auto& s : shapes) {
      for (int t = 0; t < 4; ++t) {
        ExpectMatchesReference(&Gemm, "Gemm split", s[0], s[1], s[2], t & 1, rng, t & 2);
      }
    }
  }
  SetGemmPath(GemmPath::kAuto);
  IntraOpThreads::SetLimit(1);
}

// The switch-overs measured by loadtest/gemm/matmul_bench: the no-packing kernel for few rows
// (not one) of a wide B or a narrow B at any M, never a transposed B, never on the baseline
// build; oneDNN's sgemm for the rest but one row (with AVX2 only, from 256 rows, or from 32 of a
// depth of at most 128: Eigen below); Eigen alone when forced.
TEST(GemmTest, EachShapeTakesTheImplementationThatMeasuredFastest) {
  const bool vector_isa = GemmIsa() != "baseline";
  const bool avx2 = GemmIsa() == "avx2_fma";
  const GemmImpl small = vector_isa ? GemmImpl::kSmall : GemmImpl::kEigen;
  const GemmImpl large = vector_isa ? GemmImpl::kOneDnn : GemmImpl::kEigen;
  // Below 256 rows an AVX2 build keeps oneDNN out: its few-row kernel or Eigen.
  const GemmImpl large_few_rows = avx2 ? small : large;
  const GemmImpl large_many_rows = avx2 ? GemmImpl::kEigen : large;
  const GemmArgs eight_rows = {.m = 8, .k = 256, .n = 512};
  const GemmArgs conv = {.m = 1024, .k = 72, .n = 16};
  const GemmArgs dense = {.m = 128, .k = 256, .n = 1024};
  EXPECT_EQ(GemmImplFor(eight_rows), small);
  EXPECT_EQ(GemmImplFor(conv), small);
  EXPECT_EQ(GemmImplFor({.m = 32, .k = 256, .n = 256}), small);  // B fits in L2
  EXPECT_EQ(GemmImplFor({.m = 32, .k = 512, .n = 512}), large_few_rows);
  EXPECT_EQ(GemmImplFor({.m = 8, .k = 1280, .n = 1000}), large_few_rows);  // B of 5 MB
  EXPECT_EQ(GemmImplFor(dense), large_many_rows);
  EXPECT_EQ(GemmImplFor({.m = 1024, .k = 256, .n = 1024}), large);
  EXPECT_EQ(GemmImplFor({.m = 8, .k = 256, .n = 512, .transpose_b = true}), large_many_rows);
  EXPECT_EQ(GemmImplFor({.m = 1, .k = 256, .n = 512}), GemmImpl::kEigen);
  // The attention's per-head products: a short depth.
  EXPECT_EQ(GemmImplFor({.m = 128, .k = 64, .n = 128, .transpose_b = true}), large);
  EXPECT_EQ(GemmImplFor({.m = 128, .k = 128, .n = 64}), large);
  EXPECT_EQ(GemmImplFor({.m = 16, .k = 64, .n = 128, .transpose_b = true}), large_many_rows);
  SetGemmPath(GemmPath::kNoOneDnn);
  EXPECT_EQ(GemmImplFor({.m = 128, .k = 64, .n = 128, .transpose_b = true}), GemmImpl::kEigen);
  EXPECT_EQ(GemmImplFor(eight_rows), small);
  EXPECT_EQ(GemmImplFor({.m = 32, .k = 512, .n = 512}), small);
  EXPECT_EQ(GemmImplFor({.m = 8, .k = 1280, .n = 1000}), small);
  EXPECT_EQ(GemmImplFor(dense), GemmImpl::kEigen);
  SetGemmPath(GemmPath::kEigenOnly);
  EXPECT_EQ(GemmImplFor(eight_rows), GemmImpl::kEigen);
  EXPECT_EQ(GemmImplFor(conv), GemmImpl::kEigen);
  EXPECT_EQ(GemmImplFor(dense), GemmImpl::kEigen);
  SetGemmPath(GemmPath::kAuto);
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
