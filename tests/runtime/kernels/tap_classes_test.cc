// TapClasses: which geometries it takes (the padded taps worth skipping, classes of a tile's rows
// at least), and its product against the own im2col convolution (which multiplies the padding's
// zeros) over strides, dilations, a 1x7 filter, a filter larger than its map and a block of taps,
// on one core and with the idle ones lent; every output row finished exactly once.
#include "runtime/kernels/internal/tap_classes.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <string>
#include <vector>

#include "conv_geometry.h"
#include "runtime/intra_op.h"
#include "runtime/kernels/internal/own_conv.h"

namespace tern {
namespace {

struct Case {
  int64_t batch, in_h, in_w, channels, k_h, k_w, out_channels;
  int64_t stride, dilation;
};

std::string Name(const Case& c) {
  return "n" + std::to_string(c.batch) + " " + std::to_string(c.in_h) + "x" +
         std::to_string(c.in_w) + "x" + std::to_string(c.channels) + " k" + std::to_string(c.k_h) +
         "x" + std::to_string(c.k_w) + " oc" + std::to_string(c.out_channels) + " s" +
         std::to_string(c.stride) + " d" + std::to_string(c.dilation);
}

// SAME padding, as TensorFlow computes it.
WindowGeometry Geometry(const Case& c, WindowAttrs* a) {
  return ConvGeometry({.batch = c.batch,
                       .in_h = c.in_h,
                       .in_w = c.in_w,
                       .channels = c.channels,
                       .k_h = c.k_h,
                       .k_w = c.k_w,
                       .stride = c.stride,
                       .dilation = c.dilation},
                      a);
}

std::vector<float> Random(int64_t n, int seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

TapBox WholeFilter(const Case& c) { return {.h0 = 0, .h1 = c.k_h, .w0 = 0, .w1 = c.k_w}; }

// TapClasses over the whole filter against ConvByGemm, plus 1 added by `finish` to each row.
void Check(const Case& c) {
  SCOPED_TRACE(Name(c));
  WindowAttrs a;
  const WindowGeometry g = Geometry(c, &a);
  const std::optional<TapClasses> classes = TapClasses::For(g, a, WholeFilter(c));
  ASSERT_TRUE(classes.has_value());
  const std::vector<float> in = Random(c.batch * c.in_h * c.in_w * c.channels, 1);
  const std::vector<float> filter = Random(c.k_h * c.k_w * c.channels * c.out_channels, 2);
  const int64_t rows = g.batch * g.out_h * g.out_w;
  std::vector<float> want(static_cast<size_t>(rows * c.out_channels), 0.f);
  ConvByGemm(in.data(), filter.data(), g, a, c.out_channels, want.data());

  std::shared_ptr<const PackedMatrix> packed = PackedMatrix::Create(
      filter.data(), c.k_h * c.k_w * c.channels, c.out_channels, /*transpose_b=*/false);
  if (packed == nullptr) GTEST_SKIP() << "no packed GEMM kernel on this CPU";
  std::vector<float> got(want.size(), -7.f);
  std::vector<std::atomic<int>> finished(static_cast<size_t>(rows));
  classes->Run(in.data(), *packed, got.data(), [&](int64_t row) {
    ++finished[static_cast<size_t>(row)];
    for (int64_t j = 0; j < c.out_channels; ++j) got[row * c.out_channels + j] += 1.f;
  });
  for (int64_t r = 0; r < rows; ++r) {
    ASSERT_EQ(finished[static_cast<size_t>(r)].load(), 1) << "row " << r;
    for (int64_t j = 0; j < c.out_channels; ++j) {
      const size_t i = static_cast<size_t>(r * c.out_channels + j);
      ASSERT_NEAR(got[i], want[i] + 1.f, 1e-4f * (1.f + std::abs(want[i])))
          << "row " << r << " column " << j;
    }
  }
}

const Case kCases[] = {
    {8, 2, 2, 128, 3, 3, 32, 1, 1},   // DenseNet121 b8's growth layers on a 2x2 map
    {8, 4, 4, 16, 3, 3, 40, 1, 1},    // a 4x4 map: corners, edges, the middle; a partial panel
    {6, 7, 7, 8, 3, 3, 16, 1, 1},     // InceptionV3's 7x7 maps
    {8, 5, 5, 8, 3, 3, 24, 2, 1},     // stride 2
    {8, 5, 5, 8, 3, 3, 16, 1, 2},     // dilation 2
    {8, 3, 3, 8, 1, 7, 16, 1, 1},     // a 1x7 filter on a 3x3 map
    {8, 2, 2, 8, 5, 5, 16, 1, 1},     // a filter larger than its map
    {64, 2, 2, 64, 3, 3, 96, 1, 1}};  // many rows: split by rows when cores are lent

TEST(TapClassesTest, MatchesTheIm2colConvolutionOnOneCore) {
  for (const Case& c : kCases) Check(c);
}

TEST(TapClassesTest, MatchesTheIm2colConvolutionWithIdleCoresLent) {
  IntraOpThreads::SetLimit(0);  // one per core
  for (const Case& c : kCases) Check(c);
  IntraOpThreads::SetLimit(1);
}

TEST(TapClassesTest, TakesOnlyGeometriesWhereSkippingPays) {
  WindowAttrs a;
  // One image on a 4x4 map: each corner class has one row, too few for a tile.
  const Case one_image = {1, 4, 4, 8, 3, 3, 8, 1, 1};
  EXPECT_FALSE(TapClasses::For(Geometry(one_image, &a), a, WholeFilter(one_image)));
  // A 1x1 filter meets the input everywhere.
  const Case pointwise = {8, 4, 4, 8, 1, 1, 8, 1, 1};
  EXPECT_FALSE(TapClasses::For(Geometry(pointwise, &a), a, WholeFilter(pointwise)));
  // A 32x32 map: under a tenth of the taps fall in the padding.
  const Case large = {8, 32, 32, 8, 3, 3, 8, 1, 1};
  EXPECT_FALSE(TapClasses::For(Geometry(large, &a), a, WholeFilter(large)));
  const Case small = {8, 2, 2, 8, 3, 3, 8, 1, 1};
  EXPECT_TRUE(TapClasses::For(Geometry(small, &a), a, WholeFilter(small)));
}

// A box of the filter's taps (the block a 1x7 filter meets on a 3-wide map, packed alone): the
// classes index into the box, not the whole filter.
TEST(TapClassesTest, ABoxOfTapsIndexesThePackedBlock) {
  const Case c = {8, 3, 3, 8, 1, 7, 16, 1, 1};
  WindowAttrs a;
  const WindowGeometry g = Geometry(c, &a);  // pad_left 3: taps 1-5 meet the input
  const TapBox box = {.h0 = 0, .h1 = 1, .w0 = 1, .w1 = 6};
  const std::optional<TapClasses> classes = TapClasses::For(g, a, box);
  ASSERT_TRUE(classes.has_value());
  const std::vector<float> in = Random(c.batch * c.in_h * c.in_w * c.channels, 3);
  const std::vector<float> filter = Random(c.k_w * c.channels * c.out_channels, 4);
  std::vector<float> want(static_cast<size_t>(c.batch * 9 * c.out_channels), 0.f);
  ConvByGemm(in.data(), filter.data(), g, a, c.out_channels, want.data());
  std::shared_ptr<const PackedMatrix> packed = PackedMatrix::Create(
      filter.data() + 1 * c.channels * c.out_channels, 5 * c.channels, c.out_channels, false);
  if (packed == nullptr) GTEST_SKIP() << "no packed GEMM kernel on this CPU";
  std::vector<float> got(want.size(), -7.f);
  classes->Run(in.data(), *packed, got.data(), [](int64_t) {});
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], 1e-4f * (1.f + std::abs(want[i]))) << "at " << i;
  }
}

}  // namespace
}  // namespace tern
