// GemmPacked and each ISA build of its kernel that this CPU runs, against a plain triple loop in
// double: shapes around the tile, panel and row-chunk edges, b stored either way, split among
// threads; the epilogue applied in the store against the passes it replaces; and PackedWeights
// packing once per weight buffer.
#include "runtime/kernels/internal/gemm_packed.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "runtime/intra_op.h"
#include "runtime/kernels/internal/fused_activation.h"

namespace tern {
namespace {

// Why a test skips: PackedMatrix::Create returns nullptr on a CPU without AVX2+FMA (or not x86-64),
// where the kernels that would use it run Gemm instead, which gemm_test covers.
constexpr const char* kNoPackedKernel =
    "no packed kernel on this CPU (needs x86-64 with AVX2+FMA); its callers run Gemm here";

std::vector<float> Random(int64_t size, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(static_cast<size_t>(size));
  for (float& x : v) x = dist(rng);
  return v;
}

// c against a [m,k] x b, b [k,n] or [n,k] when transpose_b.
void ExpectProduct(const std::vector<float>& a, const std::vector<float>& b, bool transpose_b,
                   int64_t m, int64_t k, int64_t n, const std::vector<float>& c,
                   const std::string& what) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double want = 0;
      for (int64_t p = 0; p < k; ++p) {
        want += double(a[i * k + p]) * double(transpose_b ? b[j * k + p] : b[p * n + j]);
      }
      ASSERT_NEAR(c[i * n + j], want, 1e-5 + 1e-5 * std::abs(want) + 1e-6 * k)
          << what << " m=" << m << " k=" << k << " n=" << n << " tb=" << transpose_b << " at " << i
          << "," << j;
    }
  }
}

TEST(GemmPackedTest, MatchesTheReferenceAroundEveryEdge) {
  std::mt19937 rng(3);
  // Rows: one tile, uneven blocks, several row chunks (k = 1100 leaves 24-29 rows per chunk);
  // columns: under one vector, between one and two, whole and partial panels.
  const int64_t shapes[][3] = {{1, 1, 1},      {2, 5, 7},    {8, 512, 512},
                               {7, 33, 9},     {13, 64, 17}, {6, 100, 31},
                               {70, 1100, 40}, {3, 0, 20},   {64, 256, 100}};
  for (const auto& s : shapes) {
    for (bool transpose_b : {false, true}) {
      const int64_t m = s[0], k = s[1], n = s[2];
      const std::vector<float> a = Random(m * k, rng), b = Random(k * n, rng);
      std::shared_ptr<const PackedMatrix> packed =
          PackedMatrix::Create(b.data(), k, n, transpose_b);
      if (packed == nullptr) GTEST_SKIP() << kNoPackedKernel;
      std::vector<float> c(m * n, 123.0f);
      GemmPacked(a.data(), m, *packed, c.data());
      ExpectProduct(a, b, transpose_b, m, k, n, c, "GemmPacked");
    }
  }
}

// Large enough to split (over 4 MFLOP), with idle cores lent: each core takes a run of panels,
// the last one partial.
TEST(GemmPackedTest, ProductSplitAmongThreadsMatchesTheReference) {
  std::mt19937 rng(5);
  const int64_t m = 40, k = 300, n = 1000;
  const std::vector<float> a = Random(m * k, rng), b = Random(k * n, rng);
  std::shared_ptr<const PackedMatrix> packed = PackedMatrix::Create(b.data(), k, n, false);
  if (packed == nullptr) GTEST_SKIP() << kNoPackedKernel;
  IntraOpThreads::SetLimit(4);
  std::vector<float> c(m * n, 123.0f);
  GemmPacked(a.data(), m, *packed, c.data());
  IntraOpThreads::SetLimit(1);
  ExpectProduct(a, b, false, m, k, n, c, "split");
}

// Bit for bit what the product followed by the fused kernels' own passes gives (bias, residual,
// activation), NaN and -0 included: every combination, over partial tiles and panels, split among
// threads, and through GemmPackedInChunks, whose chunks each take their own rows of the residual.
TEST(GemmPackedTest, EpilogueInTheStoreEqualsPassesAfterTheProduct) {
  std::mt19937 rng(13);
  const int64_t shapes[][3] = {{7, 33, 9}, {13, 64, 37}, {40, 300, 1000}, {300, 40, 24}};
  const FusedActivation activations[] = {FusedActivation::kNone, FusedActivation::kRelu,
                                         FusedActivation::kRelu6};
  for (const auto& s : shapes) {
    const int64_t m = s[0], k = s[1], n = s[2];
    const std::vector<float> a = Random(m * k, rng), b = Random(k * n, rng);
    std::vector<float> bias = Random(n, rng), residual = Random(m * n, rng);
    for (float& r : residual) r *= 8.0f;  // past ReLU6's 6 too
    residual[0] = std::nanf("");
    bias[n - 1] = -0.0f;
    std::shared_ptr<const PackedMatrix> packed = PackedMatrix::Create(b.data(), k, n, false);
    if (packed == nullptr) GTEST_SKIP() << kNoPackedKernel;
    for (int with = 0; with < 4; ++with) {
      for (FusedActivation activation : activations) {
        const float* bias_in = with & 1 ? bias.data() : nullptr;
        const float* residual_in = with & 2 ? residual.data() : nullptr;
        std::vector<float> want(m * n);
        GemmPacked(a.data(), m, *packed, want.data());
        if (bias_in != nullptr) AddBiasToRows(bias_in, m, n, want.data());
        for (int64_t i = 0; residual_in != nullptr && i < m * n; ++i) want[i] += residual_in[i];
        ApplyFusedActivationInPlace(activation, 0.f, want.data(), m * n);
        const PackedEpilogue epilogue{
            .bias = bias_in, .residual = residual_in, .activation = *AsStoreActivation(activation)};
        const std::string what = "m=" + std::to_string(m) + " n=" + std::to_string(n) +
                                 " with=" + std::to_string(with) +
                                 " activation=" + std::to_string(static_cast<int>(activation));
        std::vector<float> split(m * n, 123.0f), chunks(m * n, 123.0f);
        IntraOpThreads::SetLimit(2);
        GemmPacked(a.data(), m, *packed, split.data(), epilogue);
        GemmPackedInChunks(
            m, 96, *packed, chunks.data(),
            [&](int64_t first, int64_t) { return a.data() + first * k; }, nullptr, epilogue);
        IntraOpThreads::SetLimit(1);
        for (int64_t i = 0; i < m * n; ++i) {
          ASSERT_TRUE(std::memcmp(&split[i], &want[i], sizeof(float)) == 0)
              << what << " GemmPacked at " << i << ": " << split[i] << " vs " << want[i];
          ASSERT_TRUE(std::memcmp(&chunks[i], &want[i], sizeof(float)) == 0)
              << what << " GemmPackedInChunks at " << i << ": " << chunks[i] << " vs " << want[i];
        }
      }
    }
  }
}

#if defined(__x86_64__)
// Each ISA build directly (an AVX-512 CPU also runs the AVX2 one), on panels packed here two
// vectors wide, with strides wider than the matrices.
TEST(GemmPackedTest, EveryIsaBuildMatchesTheReference) {
  __builtin_cpu_init();
  struct Build {
    const char* name;
    void (*fn)(const PackedGemmArgs&);
    int64_t panel_cols;
    bool runs_here;
  };
  const Build builds[] = {
      {"avx2_fma", &GemmPackedAvx2Fma, 16,
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
      {"avx512", &GemmPackedAvx512, 32,
       __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")}};
  std::mt19937 rng(11);
  const int64_t m = 19, k = 45, n = 71, lda = 50, ldc = 80;
  for (const Build& build : builds) {
    if (!build.runs_here) continue;
    const std::vector<float> a = Random(m * lda, rng), b = Random(k * n, rng);
    const int64_t panels = (n + build.panel_cols - 1) / build.panel_cols;
    std::vector<float> packed(panels * k * build.panel_cols, 0.0f);
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t p = 0; p < k; ++p) {
        packed[(j / build.panel_cols * k + p) * build.panel_cols + j % build.panel_cols] =
            b[p * n + j];
      }
    }
    std::vector<float> c(m * ldc, 123.0f);
    build.fn({.a = a.data(),
              .lda = lda,
              .m = m,
              .k = k,
              .n = n,
              .panels = packed.data(),
              .c = c.data(),
              .ldc = ldc});
    std::vector<float> dense_a(m * k), dense_c(m * n);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t p = 0; p < k; ++p) dense_a[i * k + p] = a[i * lda + p];
      for (int64_t j = 0; j < n; ++j) dense_c[i * n + j] = c[i * ldc + j];
      // Past column n, C's row is left as it was.
      for (int64_t j = n; j < ldc; ++j) ASSERT_EQ(c[i * ldc + j], 123.0f) << build.name;
    }
    ExpectProduct(dense_a, b, false, m, k, n, dense_c, build.name);
  }
}
#endif

TEST(GemmPackedTest, WeightsArePackedOncePerBuffer) {
  std::mt19937 rng(13);
  Tensor weights(tensorflow::DT_FLOAT, TensorShape{20, 30});
  const std::vector<float> values = Random(20 * 30, rng);
  std::copy(values.begin(), values.end(), weights.flat<float>());
  PackedWeights cache;
  std::shared_ptr<const PackedMatrix> first = cache.For(weights, false);
  if (first == nullptr) GTEST_SKIP() << kNoPackedKernel;
  EXPECT_EQ(cache.For(weights, false), first);
  EXPECT_EQ(first->k(), 20);
  EXPECT_EQ(first->n(), 30);
  // A block of the same buffer (a filter's tap: rows 10..19) is a copy of its own, kept beside.
  std::shared_ptr<const PackedMatrix> block = cache.For(weights, 10 * 30, 10, 30);
  ASSERT_NE(block, first);
  EXPECT_EQ(cache.For(weights, 10 * 30, 10, 30), block);
  EXPECT_EQ(cache.For(weights, false), first);
  std::vector<float> ones(10, 1.0f), sums(30);
  GemmPacked(ones.data(), 1, *block, sums.data());
  for (int64_t j = 0; j < 30; ++j) {
    float want = 0;
    for (int64_t p = 10; p < 20; ++p) want += values[p * 30 + j];
    EXPECT_NEAR(sums[j], want, 1e-5) << j;
  }
  // Another buffer (a variable assigned anew) is packed again, with its own values.
  Tensor other(tensorflow::DT_FLOAT, TensorShape{20, 30});
  std::fill(other.flat<float>(), other.flat<float>() + 600, 2.0f);
  std::shared_ptr<const PackedMatrix> second = cache.For(other, false);
  ASSERT_NE(second, first);
  std::vector<float> a(20, 1.0f), c(30);
  GemmPacked(a.data(), 1, *second, c.data());
  for (float x : c) EXPECT_FLOAT_EQ(x, 40.0f);
}

}  // namespace
}  // namespace tern
