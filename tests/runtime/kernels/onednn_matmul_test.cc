// oneDNN's matmul with the weight layout CreateOneDnnMatMul asks for: which layout each product
// shape gets, and OneDnnMatMul's answers in each layout (column tails that do not fill a panel
// included) against a plain triple loop in double.
#include "runtime/kernels/internal/onednn_matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include "runtime/kernels/internal/onednn_common.h"

namespace tern {
namespace {

using Tag = dnnl::memory::format_tag;

// Whether oneDNN (2.6) runs f32 matmuls on this CPU with its brgemm kernels, the ones that pack
// the weights in the panels CreateOneDnnMatMul asks for: they need AVX-512 (avx512_core). Below
// it oneDNN runs a GEMM-based matmul that keeps its own layout, or only a reference one.
bool HasPackingMatMul() {
  const auto core = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) & core) == core;
}

// The weights layout oneDNN packs [k, n] in for a product of `rows` rows.
dnnl::memory::desc PackedWeights(int64_t rows, int64_t k, int64_t n) {
  const dnnl::memory::desc src({rows, k}, dnnl::memory::data_type::f32, Tag::ab);
  const dnnl::memory::desc dst({rows, n}, dnnl::memory::data_type::f32, Tag::ab);
  std::optional<OneDnnMatMulPrimitive> made =
      CreateOneDnnMatMul(src, dnnl::memory::desc(), dst, dnnl::primitive_attr());
  EXPECT_TRUE(made.has_value()) << rows << "x" << k << "x" << n << ": no primitive";
  return made ? made->weights : dnnl::memory::desc();
}

dnnl::memory::desc Layout(int64_t k, int64_t n, Tag tag) {
  return dnnl::memory::desc({k, n}, dnnl::memory::data_type::f32, tag);
}

// _FusedMatMul relies on this to leave a CPU whose matmul primitive
// would repack its weights at every call (no AVX-512) to Gemm.
TEST(OneDnnMatMulTest, PacksWeightsExactlyWhereTheCpuHasAvx512) {
  EXPECT_EQ(OneDnnMatMulPacksWeights(), HasPackingMatMul());
}

TEST(OneDnnMatMulTest, OneRowPacks16ColumnPanelsAndFewRowsOfANarrowProduct32) {
  if (!HasPackingMatMul()) {
    GTEST_SKIP() << "this CPU has no AVX-512: oneDNN 2.6 packs f32 matmul weights in panels "
                    "only with AVX-512, so there is no layout to choose (the answers are "
                    "checked by MatchesTheReferenceInEachLayout)";
  }
  // One row, at any width: 16-column panels.
  EXPECT_EQ(PackedWeights(1, 1152, 192), Layout(1152, 192, Tag::BA16a16b));
  EXPECT_EQ(PackedWeights(1, 1280, 1000), Layout(1280, 1000, Tag::BA16a16b));
  EXPECT_EQ(PackedWeights(4, 960, 160), Layout(960, 160, Tag::BA16a32b));
  EXPECT_EQ(PackedWeights(16, 1152, 192), Layout(1152, 192, Tag::BA16a32b));
  // Many rows: 32-column panels only where 64-column ones would pad n further.
  EXPECT_EQ(PackedWeights(256, 576, 96), Layout(576, 96, Tag::BA16a32b));
  EXPECT_NE(PackedWeights(256, 256, 256), Layout(256, 256, Tag::BA16a32b));
  // Wide products of more than one row keep the layout oneDNN picks.
  EXPECT_NE(PackedWeights(4, 320, 1280), Layout(320, 1280, Tag::BA16a32b));
  EXPECT_NE(PackedWeights(4, 320, 1280), Layout(320, 1280, Tag::BA16a16b));
}

TEST(OneDnnMatMulTest, MatchesTheReferenceInEachLayout) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1, 1);
  struct Shape {
    int64_t m, k, n;
  };
  // One row (16-column panels, k and n with and without partial blocks), few rows (32-column
  // panels, n with and without a partial panel) and many rows (32- and 64-column panels), plus bias
  // and Relu in the epilogue.
  for (const Shape& s :
       {Shape{1, 37, 24}, Shape{2, 960, 160}, Shape{4, 144, 40}, Shape{16, 64, 200},
        Shape{17, 64, 96}, Shape{64, 96, 24}, Shape{64, 33, 128}, Shape{3, 70, 600},
        Shape{1, 1024, 520}, Shape{1, 1155, 200}, Shape{1, 16, 16}}) {
    std::vector<float> a(s.m * s.k), b(s.k * s.n), bias(s.n), out(s.m * s.n, 123.0f);
    for (float& x : a) x = dist(rng);
    for (float& x : b) x = dist(rng);
    for (float& x : bias) x = dist(rng);
    Tensor weights(tensorflow::DT_FLOAT, TensorShape({s.k, s.n}));
    std::copy(b.begin(), b.end(), weights.flat<float>());
    const OneDnnMatMul matmul(/*transpose_b=*/false,
                              MatMulEpilogue{.bias = true, .activation = FusedActivation::kRelu});
    if (!matmul.Run(s.m, a.data(), weights, bias.data(), out.data())) {
      // Where oneDNN has its packing kernels, a product it cannot run is a failure; where it
      // has only a reference matmul, the kernels run Gemm (gemm_test) instead.
      ASSERT_FALSE(HasPackingMatMul()) << "m=" << s.m << " k=" << s.k << " n=" << s.n;
      GTEST_SKIP() << "oneDNN has only a reference f32 matmul on this CPU; the kernels "
                      "run Gemm here, which gemm_test checks";
    }
    for (int64_t i = 0; i < s.m; ++i) {
      for (int64_t j = 0; j < s.n; ++j) {
        double want = bias[j];
        for (int64_t p = 0; p < s.k; ++p) want += double(a[i * s.k + p]) * b[p * s.n + j];
        want = std::max(want, 0.0);
        ASSERT_NEAR(out[i * s.n + j], want, 1e-5 + 1e-5 * std::abs(want) + 1e-6 * s.k)
            << "m=" << s.m << " k=" << s.k << " n=" << s.n << " at " << i << "," << j;
      }
    }
  }
}

}  // namespace
}  // namespace tern
