// OneDnnConv (oneDNN's convolution with post-ops) against Tern's own convolution loops plus the
// epilogue written out by hand, over the geometries the zoo's CNNs use and a few odd ones
// (dilation, VALID leaving input unused, a depth multiplier, explicit padding, the convolutions
// that run as matrix products, with idle cores lent), and a check that a new filter buffer is
// reordered again instead of the cached one being reused.
#include "runtime/kernels/internal/onednn_conv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "conv_geometry.h"
#include "runtime/intra_op.h"
#include "runtime/kernels/internal/own_conv.h"

namespace tern {
namespace {

struct Case {
  int64_t batch, in_h, in_w, channels, k, out_channels;  // out_channels: M when depthwise
  int64_t stride, dilation;
  bool same, depthwise;
  int64_t k_w = 0;  // the filter's width when not k (a 1x7 filter: k 1, k_w 7)
  int64_t KW() const { return k_w > 0 ? k_w : k; }
};

std::string Name(const Case& c) {
  return "n" + std::to_string(c.batch) + " " + std::to_string(c.in_h) + "x" +
         std::to_string(c.in_w) + "x" + std::to_string(c.channels) + " k" + std::to_string(c.k) +
         "x" + std::to_string(c.KW()) + " oc" + std::to_string(c.out_channels) + " s" +
         std::to_string(c.stride) + " d" + std::to_string(c.dilation) +
         (c.same ? " SAME" : " VALID") + (c.depthwise ? " depthwise" : "");
}

WindowGeometry Geometry(const Case& c, WindowAttrs* attrs) {
  return ConvGeometry({.batch = c.batch,
                       .in_h = c.in_h,
                       .in_w = c.in_w,
                       .channels = c.channels,
                       .k_h = c.k,
                       .k_w = c.KW(),
                       .stride = c.stride,
                       .dilation = c.dilation,
                       .same = c.same},
                      attrs);
}

std::vector<float> Random(int64_t n, std::mt19937* rng) {
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(*rng);
  return v;
}

Tensor FilterTensor(const Case& c, const std::vector<float>& values) {
  Tensor t(tensorflow::DT_FLOAT, TensorShape{c.k, c.KW(), c.channels, c.out_channels});
  std::copy(values.begin(), values.end(), t.flat<float>());
  return t;
}

float Activate(FusedActivation a, float alpha, float v) {
  switch (a) {
    case FusedActivation::kNone: return v;
    case FusedActivation::kRelu: return std::max(v, 0.f);
    case FusedActivation::kRelu6: return std::min(std::max(v, 0.f), 6.f);
    case FusedActivation::kElu: return v > 0 ? v : std::expm1(v);
    case FusedActivation::kLeakyRelu: return v > 0 ? v : alpha * v;
    case FusedActivation::kSigmoid: return 1.f / (1.f + std::exp(-v));
    case FusedActivation::kSwish: return v / (1.f + std::exp(-alpha * v));
    case FusedActivation::kGeluApproximate:
    case FusedActivation::kGeluExact: break;  // not a convolution's post-op
  }
  return v;
}

enum class Declining { kFails, kAllowed };

void Check(const Case& c, const ConvEpilogue& e, Declining declining = Declining::kFails) {
  SCOPED_TRACE(Name(c) + " bias=" + std::to_string(e.bias) +
               " residual=" + std::to_string(e.residual) +
               " activation=" + std::to_string(static_cast<int>(e.activation)));
  std::mt19937 rng(11);
  WindowAttrs attrs;
  const WindowGeometry g = Geometry(c, &attrs);
  const int64_t oc = c.depthwise ? c.channels * c.out_channels : c.out_channels;
  const int64_t out_size = g.batch * g.out_h * g.out_w * oc;
  const std::vector<float> in = Random(g.batch * g.in_h * g.in_w * g.channels, &rng);
  const Tensor filter = FilterTensor(c, Random(c.k * c.KW() * c.channels * c.out_channels, &rng));
  const std::vector<float> bias = Random(oc, &rng);
  const std::vector<float> residual = Random(out_size, &rng);

  std::vector<float> want(static_cast<size_t>(out_size), 0.f);
  if (c.depthwise) {
    DepthwiseDirect(in.data(), filter.flat<float>(), g, attrs, c.out_channels, want.data());
  } else {
    ConvByGemm(in.data(), filter.flat<float>(), g, attrs, oc, want.data());
  }
  for (int64_t i = 0; i < out_size; ++i) {
    float v = want[i] + (e.bias ? bias[i % oc] : 0.f) + (e.residual ? residual[i] : 0.f);
    want[i] = Activate(e.activation, e.alpha, v);
  }

  OneDnnConv conv(attrs, c.depthwise, e);
  std::vector<float> got(static_cast<size_t>(out_size), 123.f);
  const bool ran = conv.Run(g, in.data(), filter, bias.data(), residual.data(), got.data());
  if (!ran && declining == Declining::kAllowed) return;
  ASSERT_TRUE(ran) << "oneDNN has no implementation";
  const double tolerance = 1e-5 * static_cast<double>(c.k * c.KW() * c.channels) + 1e-5;
  for (int64_t i = 0; i < out_size; ++i) {
    ASSERT_NEAR(got[i], want[i], tolerance) << "at " << i;
  }
}

const Case kCases[] = {
    // batch, h, w, c, k, oc|m, stride, dilation, same, depthwise
    {1, 8, 8, 3, 3, 16, 1, 1, true, false},
    {2, 9, 7, 5, 3, 6, 2, 1, true, false},
    {3, 8, 8, 16, 1, 24, 1, 1, true, false},
    {1, 7, 7, 4, 3, 8, 2, 1, false, false},
    {2, 10, 10, 3, 3, 5, 1, 2, true, false},
    {1, 9, 9, 8, 7, 4, 2, 1, true, false},
    {1, 8, 8, 16, 3, 1, 1, 1, true, true},
    {2, 9, 9, 8, 3, 1, 2, 1, true, true},
    {1, 8, 8, 4, 3, 2, 1, 1, false, true},
    {1, 11, 11, 6, 5, 1, 2, 2, true, true},
    // Matrix products on oneDNN's matmul (without AVX-512: GemmPacked for one output pixel per
    // image and a larger filter's windows, the convolution primitive for the rest): 1x1 filters
    // (strided ones gather their pixels first); one pixel in and out, where only the tap over the
    // input pixel counts (in the
    // last of these no tap meets it: the patches form then); outputs of at most 4 pixels per
    // image, from copied-out windows (padded, strided, dilated, VALID).
    {2, 4, 4, 32, 1, 40, 2, 1, true, false},
    {1, 5, 5, 8, 1, 16, 2, 1, false, false},
    {2, 16, 16, 8, 1, 16, 1, 1, true, false},
    {4, 1, 1, 32, 3, 48, 1, 1, true, false},
    {2, 1, 1, 8, 3, 8, 1, 2, true, false},
    {3, 1, 1, 8, 3, 8, 2, 1, true, false},
    {1, 1, 1, 8, 5, 8, 1, 1, true, false},
    {1, 1, 1, 8, 2, 8, 1, 1, true, false},
    {2, 1, 1, 8, 1, 8, 1, 1, true, false},
    {1, 1, 1, 4, 2, 4, 1, 2, true, false},
    {2, 2, 2, 16, 3, 24, 1, 1, true, false},
    {1, 3, 3, 8, 3, 8, 2, 1, true, false},
    {1, 4, 4, 4, 3, 4, 2, 2, true, false},
    {2, 3, 3, 8, 2, 8, 1, 1, false, false},
    // Without AVX-512, windows gathered up to a 7x7 map for filters of at most 9 taps
    // (GathersWindows): 7x7 SAME, 4x4 from a strided VALID 9x9; a 5x5 filter stays a
    // convolution.
    {2, 7, 7, 8, 3, 12, 1, 1, true, false},
    {1, 9, 9, 6, 3, 8, 2, 1, false, false},
    {2, 7, 7, 4, 5, 8, 1, 1, true, false},
    // Gathered windows of many rows go through GemmPacked a chunk of rows at a time (441 rows of
    // 576: 7 full chunks and a partial one), the chunks shared among idle cores.
    {9, 7, 7, 64, 3, 40, 1, 1, true, false},
    // Taps that only ever meet padding are left out of the windows: a 1x7 and a 7x1 filter over
    // a 3x3 map (taps 1-5 meet data), a dilated 1x3 over a 3-wide map (only the middle tap), a
    // dilated 3x3 over a 5x1 map whose used taps are no block of the filter (all kept).
    {2, 3, 3, 16, 1, 24, 1, 1, true, false, 7},
    {2, 3, 3, 16, 7, 24, 1, 1, true, false, 1},
    {1, 3, 3, 8, 1, 8, 1, 3, true, false, 3},
    {2, 5, 1, 8, 3, 8, 1, 2, true, false},
    // A 3x3 output map, which with AVX-512 runs as a product of its windows where they lie inside
    // the input (InceptionV3's stride-2 reductions) or the filter is one row (the 1x7 above).
    {2, 7, 7, 16, 3, 24, 2, 1, false, false},
    // One output pixel in all (batch 1): Gemm's GEMV over the filter in place (GemmPacked
    // without AVX-512), then the epilogue; as a 1x1 filter, strided, the tap over the pixel, and a
    // copied-out window.
    {1, 1, 1, 256, 1, 300, 1, 1, true, false},
    {1, 2, 2, 8, 1, 16, 2, 1, false, false},
    {1, 1, 1, 16, 3, 24, 1, 1, true, false},
    {1, 2, 2, 16, 2, 24, 1, 1, false, false},
    // One output pixel with a filter of 768 KB or more (OnePixelConvRunsOnPrimitive): GemmPacked
    // on the filter packed once (kPackedOverPrimitiveMaxRows), as a 1x1
    // filter (wide, and
    // narrow with a partial panel), as the tap over the pixel, and as a copied-out window (a
    // 3x3 VALID filter over a 3x3 map, InceptionV3's stride-2 reductions).
    {1, 1, 1, 1024, 1, 544, 1, 1, true, false},
    {1, 1, 1, 1152, 1, 200, 1, 1, true, false},
    {1, 1, 1, 1024, 3, 512, 1, 1, true, false},
    {1, 3, 3, 192, 3, 320, 2, 1, false, false},
};

TEST(OneDnnConvTest, PlainConvolutionMatchesOwnKernels) {
  for (const Case& c : kCases) Check(c, ConvEpilogue{});
}

TEST(OneDnnConvTest, EveryEpilogueMatchesOwnKernelsThenTheEpilogue) {
  const FusedActivation activations[] = {FusedActivation::kNone,      FusedActivation::kRelu,
                                         FusedActivation::kRelu6,     FusedActivation::kElu,
                                         FusedActivation::kLeakyRelu, FusedActivation::kSigmoid,
                                         FusedActivation::kSwish};
  for (const Case& c : kCases) {
    // With AVX-512 oneDNN runs the dilated 3x3 over a 5x1 map as its GEMM convolution, which Run
    // declines with a residual (it added the wrong elements); the fused kernel's own loops and
    // epilogue take it then. Every other case must run.
    const bool gemm_convolution = c.in_w == 1 && c.dilation == 2 && c.k == 3;
    const Declining with_residual = gemm_convolution ? Declining::kAllowed : Declining::kFails;
    for (FusedActivation a : activations) {
      Check(c, ConvEpilogue{.bias = true, .residual = false, .activation = a, .alpha = 0.3f});
      Check(c, ConvEpilogue{.bias = true, .residual = true, .activation = a, .alpha = 0.3f},
            with_residual);
    }
    Check(c, ConvEpilogue{.bias = false, .residual = true}, with_residual);
  }
}

// With idle cores lent: gathered windows split by chunks of rows, or a few rows split among the
// cores, each gathering its own (DenseNet121's 3x3 growth layers over a 4x4 map at batch 1, one
// chunk; over a 2x2 map at batch 8, two chunks; 72 rows of a narrow filter, three chunks, a core
// taking two of its own; an 8x8 map, gathered at batch 8 without its padded taps, a convolution
// at batch 1); a 1x1 filter
// over a few pixels on GemmPacked with its panels split, also a small one, and a strided one
// whose pixels are gathered first (ResNet50 b1's stride-2 1x1 layers; all without AVX-512); and
// the primitives with threads.
TEST(OneDnnConvTest, SplitAmongIdleCoresMatchesOwnKernels) {
  IntraOpThreads::SetLimit(0);  // one per core
  const Case cases[] = {
      {9, 7, 7, 64, 3, 40, 1, 1, true, false},
      {1, 4, 4, 128, 3, 32, 1, 1, true, false},
      {1, 2, 2, 512, 1, 256, 1, 1, true, false},
      {1, 2, 2, 256, 1, 128, 1, 1, true, false},
      {2, 2, 2, 64, 1, 24, 1, 1, true, false},
      {4, 8, 8, 16, 3, 32, 1, 1, true, false},
      {8, 2, 2, 128, 3, 32, 1, 1, true, false},
      {8, 3, 3, 128, 3, 16, 1, 1, true, false},
      {8, 8, 8, 16, 3, 32, 1, 1, true, false},
      {1, 8, 8, 16, 3, 32, 1, 1, true, false},
      {1, 4, 4, 512, 1, 256, 2, 1, true, false},
      {1, 3, 3, 64, 1, 40, 2, 1, false, false},
      // With AVX-512, a 3x3 map's 1x7 and 7x1 filters by tap classes, the cores sharing their
      // rows, and a stride-2 reduction to a 3x3 map on the matmul primitive.
      {8, 3, 3, 32, 1, 24, 1, 1, true, false, 7},
      {8, 3, 3, 32, 7, 24, 1, 1, true, false, 1},
      {8, 7, 7, 16, 3, 24, 2, 1, false, false}};
  for (const Case& c : cases) {
    Check(c, ConvEpilogue{});
    Check(c, ConvEpilogue{.bias = true, .residual = true, .activation = FusedActivation::kRelu});
  }
  IntraOpThreads::SetLimit(1);
}

// A depthwise 5x5 over a 1x1 or 2x2 map (EfficientNetB0's last blocks): where oneDNN offers
// only its grouped GEMM for it (AVX2 CPUs; 3-4.5 ms a call at batch 8) Run declines and the own
// loops take it; where it runs, it must be right.
TEST(OneDnnConvTest, ADepthwiseFilterLargerThanItsMapIsRightOrLeftToTheOwnLoops) {
  const ConvEpilogue swish = {.bias = true, .activation = FusedActivation::kSwish, .alpha = 1.f};
  Check({8, 1, 1, 32, 5, 1, 1, 1, true, true}, swish, Declining::kAllowed);
  Check({8, 2, 2, 24, 5, 1, 2, 1, true, true}, swish, Declining::kAllowed);
}

// Reordered (the convolution primitive) or packed (a product form) again for a new filter buffer,
// and the first buffer's copy not reused for the second.
TEST(OneDnnConvTest, ANewFilterBufferIsReorderedAgain) {
  const Case cases[] = {{1, 6, 6, 4, 3, 8, 1, 1, true, false},
                        {2, 2, 2, 4, 3, 8, 1, 1, true, false}};
  for (const Case& c : cases) {
    WindowAttrs attrs;
    const WindowGeometry g = Geometry(c, &attrs);
    const int64_t in_size = c.batch * c.in_h * c.in_w * c.channels,
                  out_size = g.batch * g.out_h * g.out_w * 8;
    std::mt19937 rng(3);
    const std::vector<float> in = Random(in_size, &rng);
    const Tensor first = FilterTensor(c, Random(3 * 3 * 4 * 8, &rng));
    const Tensor second = FilterTensor(c, Random(3 * 3 * 4 * 8, &rng));
    OneDnnConv conv(attrs, /*depthwise=*/false, ConvEpilogue{});
    for (const Tensor* filter : {&first, &second, &first}) {
      std::vector<float> want(out_size, 0.f), got(out_size, 0.f);
      ConvByGemm(in.data(), filter->flat<float>(), g, attrs, 8, want.data());
      ASSERT_TRUE(conv.Run(g, in.data(), *filter, nullptr, nullptr, got.data()));
      for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-4) << i;
    }
  }
}

}  // namespace
}  // namespace tern
