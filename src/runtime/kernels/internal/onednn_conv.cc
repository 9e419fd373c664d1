#include "runtime/kernels/internal/onednn_conv.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/intra_op.h"
#include "runtime/kernels/internal/gemm.h"
#include "runtime/kernels/internal/gemm_packed.h"
#include "runtime/kernels/internal/omp_threads.h"
#include "runtime/kernels/internal/onednn_common.h"
#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/internal/tap_classes.h"

namespace tern {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

}  // namespace

// A convolution run as a matrix product [pixels, depth] x [depth, OC] on oneDNN's matmul
// primitive, where its convolutions were slow. Measured on ResNet50 at 32x32 (ONEDNN_VERBOSE,
// one thread): where the output has few pixels, its 1x1 and 2x2 maps, the convolution primitive
// ran at 10-30 GFLOPS and streamed weights at ~2.5 GB/s; the matmul ran the same products at
// ~65. Forms:
// - a 1x1 filter: the NHWC input is the [pixels, C] matrix as it lies (a strided one copies
//   out its windows, one pixel each); as fast as the convolution on large maps too
//   (MobileNetV2's 16x16 at batch 64), so every 1x1 filter takes it;
// - one input and one output pixel (a padded 3x3 at the end of a ResNet): only the tap over
//   the input pixel meets data, so the product reads that [C, OC] block of the filter only;
// - an output of at most kWindowsMaxPixels pixels per image (without AVX-512, up to a 7x7 map
//   for small filters; with it, some filters over a 3x3 map: GathersWindows): each output pixel's
//   window is copied out as a row of KH*KW*C values (zeros where it hangs over the edge), and the
//   filter [KH,KW,C,OC] as it lies is the [KH*KW*C, OC] matrix.
// A product of one row (one output pixel in all: batch 1 on a 1x1 map) runs instead on Gemm's
// GEMV over the filter as it lies, with the epilogue after it, unless its filter is large
// enough that reading it from memory decides (OnePixelConvRunsOnPrimitive says where). Where
// the matmul primitive does not pack its weights (no AVX-512), the forms that beat the
// convolution primitive run on GemmPacked instead (PacksProductForm), the rest as convolutions.
struct MatMulForm {
  enum class Input { kAsItLies, kWindows } input = Input::kAsItLies;
  int64_t rows = 0;        // output pixels, N*OH*OW
  int64_t depth = 0;       // the product's inner size
  int64_t tap_offset = 0;  // where in the filter the [depth, OC] matrix starts
  // kWindows: the taps gathered, rows [tap_h0, tap_h1) and columns [tap_w0, tap_w1) of the
  // filter (those that ever meet the input).
  int64_t tap_h0 = 0, tap_h1 = 0, tap_w0 = 0, tap_w1 = 0;
};

namespace {

constexpr int64_t kWindowsMaxPixels = 4;
// Where GemmPacked runs the gathered windows (PacksProductForm), up to a 7x7 map for filters of at
// most 9 taps (3x3, 1x7, 7x1), while the gathered rows stay under kPackedWindowsMaxBytes (a
// buffer per thread). Per layer (node_times_ab.py, AVX2 AMD EPYC) against the convolution
// primitive: InceptionV3's 3x3 stride-2 reduction to a 3x3 map 0.69-0.76x at batch 8 and 64, its
// 1x7 and 7x1 filters on 3x3 maps 0.61-0.87x, its 3x3 filters on 7x7 maps 0.82-0.92x; ResNet50's
// and DenseNet121's 3x3 filters on 4x4 maps 0.80-0.93x. Not the 5x5 filters on 7x7 maps (25 taps
// gathered: 1.05-1.27x), nor 8x8 maps with every tap gathered (within noise, 1.10-1.32x on some
// layers).
constexpr int64_t kPackedWindowsMaxPixels = 49;
constexpr int64_t kPackedWindowsMaxTaps = 9;
constexpr int64_t kPackedWindowsMaxBytes = 16 << 20;
// Up to an 8x8 map where the edge pixels' padded taps are left out (TapClasses, batch 6 and up;
// gathered a chunk at a time, so no bound on the bytes): DenseNet121's and ResNet50's 3x3 layers
// on 8x8 maps took 0.79-0.82x of the convolution primitive's time at batch 64, 0.83-0.87x at 8.
constexpr int64_t kClassedWindowsMaxPixels = 64;

// A product on GemmPacked goes through gather, product and epilogue a chunk of rows at a time:
// about 128 KiB of its left matrix (GemmPacked's own row chunk), at least 4 tiles of rows. A
// buffer of all the gathered rows (up to 16 MiB at batch 64), then a pass over all the output for
// the epilogue, went to memory and back, on one core while the product used all idle ones.
constexpr int64_t kPackedChunkBytes = 128 << 10;
constexpr int64_t kPackedChunkMinRows = 24;
// A 1x1 filter over at most this many output pixels runs on GemmPacked when a core is idle.
constexpr int64_t kPackedOneByOneMaxRows = 8;

// Where the matmul primitive packs its weights (AVX-512), the gathered windows of a 3x3 output map
// too, for the filters the convolution primitive ran slowest there: the matmul primitive runs
// those whose windows lie wholly inside the input (a stride-2 reduction to a 3x3 map) and 1xK
// filters whose taps reach past the map's sides (GathersWindows); GemmPacked runs 1xK and Kx1
// filters by tap classes from batch 2, the rows shared among cores (ClassedWindowsFormOf, Run). Per
// layer on an Intel Xeon (Emerald Rapids, node_times_ab.py) against the convolution primitive:
// InceptionV3's 3x3 stride-2 layers to a 3x3 map 0.48-0.50x at batch 8 and 64 and 0.77x at 1 on the
// matmul primitive (on GemmPacked, a chunk of 24 rows at a time, each reading the 4 MiB
// filter: 1.36x of that at batch 8); its 1x7 layers on 3x3 maps 0.73-0.86x on the matmul primitive,
// and by classes 0.69-0.76x of that at batch 64, 0.83-0.86x at 8; its 7x1 layers 1.08-1.15x on the
// matmul primitive, 0.75-0.83x by classes at batch 64, 0.87-0.90x at 8; with two threads at batch 8
// 0.64-0.86x of the primitives' time with the classes' rows shared among the cores (1.1-2x with
// each class splitting the filter's panels between them). 3x3 filters on 7x7 maps took 1.3-1.65x as
// products, so they stay convolutions.
constexpr int64_t kMatMulWindowsMaxPixels = 9;

// Whether every window of `g` lies inside the input: no tap meets the padding.
bool WindowsInsideInput(const WindowGeometry& g, const WindowAttrs& attrs) {
  auto fits = [](int64_t out, int64_t stride, int64_t k, int64_t dilation, int64_t in) {
    return (out - 1) * stride + (k - 1) * dilation + 1 <= in;
  };
  return g.pad_top == 0 && g.pad_left == 0 &&
         fits(g.out_h, attrs.stride_h, g.k_h, attrs.dilation_h, g.in_h) &&
         fits(g.out_w, attrs.stride_w, g.k_w, attrs.dilation_w, g.in_w);
}

double GatheredBytes(const WindowGeometry& g) {
  return static_cast<double>(g.batch * g.out_h * g.out_w) *
         static_cast<double>(g.k_h * g.k_w * g.channels) * sizeof(float);
}

// With AVX-512: whether `g` is an output map of more than kWindowsMaxPixels and at most
// kMatMulWindowsMaxPixels pixels whose gathered windows stay within the bounds of the forms on
// GemmPacked (taps, bytes); which of them run as products is the callers' choice.
bool IsSmallMapForWindows(const WindowGeometry& g) {
  const int64_t pixels = g.out_h * g.out_w;
  return pixels > kWindowsMaxPixels && pixels <= kMatMulWindowsMaxPixels &&
         g.k_h * g.k_w <= kPackedWindowsMaxTaps &&
         GatheredBytes(g) <= static_cast<double>(kPackedWindowsMaxBytes);
}

// Whether a convolution that is no 1x1 filter nor a single tap runs as a product of its
// gathered windows.
bool GathersWindows(const WindowGeometry& g, const WindowAttrs& attrs) {
  const int64_t pixels = g.out_h * g.out_w;
  if (pixels <= kWindowsMaxPixels) return true;
  if (OneDnnMatMulPacksWeights()) {
    return IsSmallMapForWindows(g) && (WindowsInsideInput(g, attrs) || g.k_h == 1);
  }
  if (g.k_h * g.k_w > kPackedWindowsMaxTaps) return false;
  if (pixels > kPackedWindowsMaxPixels) {
    return pixels <= kClassedWindowsMaxPixels &&
           TapClasses::For(g, attrs, {.h0 = 0, .h1 = g.k_h, .w0 = 0, .w1 = g.k_w}).has_value();
  }
  return GatheredBytes(g) <= static_cast<double>(kPackedWindowsMaxBytes);
}

// The taps [first, end) of a filter dimension of `taps` that meet the input for some output
// position; all of them when none does (nothing to leave out then).
std::pair<int64_t, int64_t> UsedTaps(int64_t taps, int64_t out, int64_t stride, int64_t dilation,
                                     int64_t pad_before, int64_t in) {
  int64_t first = taps, end = 0;
  for (int64_t t = 0; t < taps; ++t) {
    for (int64_t o = 0; o < out; ++o) {
      const int64_t i = o * stride - pad_before + t * dilation;
      if (i >= 0 && i < in) {
        first = std::min(first, t);
        end = t + 1;
        break;
      }
    }
  }
  return first < end ? std::pair<int64_t, int64_t>{first, end}
                     : std::pair<int64_t, int64_t>{0, taps};
}

// The epilogue as post-ops (its residual addend shaped like `dst`), and a user scratchpad.
dnnl::primitive_attr EpilogueAttr(const memory::desc& dst, const ConvEpilogue& e) {
  return EpilogueAttr(e.residual ? &dst : nullptr, e.activation, e.alpha);
}

// Convolution `g` as a product of its gathered windows.
MatMulForm WindowsFormOf(const WindowAttrs& attrs, const WindowGeometry& g, int64_t out_channels) {
  MatMulForm form;
  form.input = MatMulForm::Input::kWindows;
  form.rows = g.batch * g.out_h * g.out_w;
  form.tap_h1 = g.k_h;
  form.tap_w1 = g.k_w;
  // Taps that lie in the padding for every output pixel are left out, where the rest is one
  // block of the filter: a 1x7 filter over a 3-wide map meets data with taps 1-5 only
  // (InceptionV3's 1x7 and 7x1 layers on 3x3 maps).
  const auto [h0, h1] =
      UsedTaps(g.k_h, g.out_h, attrs.stride_h, attrs.dilation_h, g.pad_top, g.in_h);
  const auto [w0, w1] =
      UsedTaps(g.k_w, g.out_w, attrs.stride_w, attrs.dilation_w, g.pad_left, g.in_w);
  if ((w0 == 0 && w1 == g.k_w) || h1 - h0 == 1) {
    form.tap_h0 = h0;
    form.tap_h1 = h1;
    form.tap_w0 = w0;
    form.tap_w1 = w1;
  }
  form.depth = (form.tap_h1 - form.tap_h0) * (form.tap_w1 - form.tap_w0) * g.channels;
  form.tap_offset = (form.tap_h0 * g.k_w + form.tap_w0) * g.channels * out_channels;
  return form;
}

// Whether convolution `g` runs as a matrix product, and which.
std::optional<MatMulForm> MatMulFormOf(const WindowAttrs& attrs, const WindowGeometry& g,
                                       bool depthwise, int64_t out_channels) {
  if (depthwise) return std::nullopt;
  MatMulForm form;
  form.rows = g.batch * g.out_h * g.out_w;
  form.depth = g.channels;
  form.tap_h1 = g.k_h;
  form.tap_w1 = g.k_w;
  if (g.k_h == 1 && g.k_w == 1 && g.pad_top == 0 && g.pad_left == 0) {
    if (attrs.stride_h != 1 || attrs.stride_w != 1) form.input = MatMulForm::Input::kWindows;
    return form;
  }
  if (g.in_h == 1 && g.in_w == 1 && g.out_h == 1 && g.out_w == 1 &&
      g.pad_top % attrs.dilation_h == 0 && g.pad_left % attrs.dilation_w == 0) {
    const int64_t tap_h = g.pad_top / attrs.dilation_h, tap_w = g.pad_left / attrs.dilation_w;
    if (tap_h < g.k_h && tap_w < g.k_w) {
      form.tap_offset = (tap_h * g.k_w + tap_w) * g.channels * out_channels;
      return form;
    }
  }
  if (GathersWindows(g, attrs)) return WindowsFormOf(attrs, g, out_channels);
  return std::nullopt;
}

// With AVX-512, the windows form of a 3x3 output map that GemmPacked may run by tap classes
// (kMatMulWindowsMaxPixels): a 1xK or Kx1 filter's, whose taps reach past the map's sides.
std::optional<MatMulForm> ClassedWindowsFormOf(const WindowAttrs& attrs, const WindowGeometry& g,
                                               bool depthwise, int64_t out_channels) {
  if (depthwise || !OneDnnMatMulPacksWeights() || !IsSmallMapForWindows(g) ||
      (g.k_h != 1 && g.k_w != 1) || g.k_h * g.k_w == 1) {
    return std::nullopt;
  }
  return WindowsFormOf(attrs, g, out_channels);
}

// Whether a product form runs on GemmPacked, the filter's block packed once, where the matmul
// primitive does not pack its weights (OneDnnMatMulPacksWeights false: no AVX-512, and oneDNN
// 2.6's matmul repacks the filter at every call); the others run on the convolution primitive,
// which packs its filter once. Per layer (an AVX2 AMD EPYC, node times paired with drift removed,
// loadtest/gemm/matmul_bench for the products alone): one output pixel per image, where the
// convolution's kernels run nearly idle, and a larger filter's gathered windows went to GemmPacked
// (ResNet50 b1's 3x3 over a 2x2 map: 0.69x of the convolution primitive's time; DenseNet121 b1's
// growth layers 0.75x, its 1x1 bottlenecks on a 1x1 map 0.82-0.88x of the GEMV). A 1x1 filter
// over 4 pixels or more stays a convolution on one core (ResNet50's on a 2x2 map at batch 1,
// 32-128 rows at batch 8: 1.1-1.2x on GemmPacked), and from 16 rows on two (1.1-1.8x), whose
// split of a few rows hardly shortens it: over at most kPackedOneByOneMaxRows rows with an idle
// core to split the filter's panels with, GemmPacked took 0.73-0.86x of its time (ResNet50's and
// DenseNet121's 1x1 filters on a 2x2 map at batch 1, two threads), and so for a strided 1x1
// filter's gathered pixels (ResNet50 b1's stride-2 1x1 layers to a 2x2 map: 0.76-0.82x).
bool PacksProductForm(const MatMulForm& form, const WindowGeometry& g) {
  if (g.out_h * g.out_w == 1) return true;
  if (g.k_h == 1 && g.k_w == 1 && form.rows <= kPackedOneByOneMaxRows) {
    return IntraOpThreads::AvailableNow() > 1;
  }
  return form.input == MatMulForm::Input::kWindows && (g.k_h > 1 || g.k_w > 1);
}

}  // namespace

struct OneDnnConv::Primitive {
  dnnl::primitive primitive;  // a convolution_forward, or a matmul for a MatMulForm
  std::optional<MatMulForm> matmul_form;
  memory::desc src, weights, bias, dst, scratchpad;
  memory::desc user_weights;  // the filter as TensorFlow lays it out

  std::unique_ptr<const OneDnnArgsPool> args;  // set once the descs are known
};

struct OneDnnConv::State {
  std::mutex mu;
  // By input shape [N,H,W,C], output channels and threads (oneDNN fixes a primitive's thread
  // count when it creates it); nullptr: oneDNN has no implementation.
  std::map<std::array<int64_t, 6>, std::shared_ptr<const Primitive>> primitives;
  ReorderedWeights weights;  // the filter in the layouts the primitives chose
  PackedWeights packed;      // its product forms' blocks, for GemmPacked
};

bool OneDnnEnabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("TERN_ONEDNN");
    return value == nullptr || std::strcmp(value, "0") != 0;
  }();
  return enabled;
}

OneDnnConv::OneDnnConv(const WindowAttrs& attrs, bool depthwise, ConvEpilogue epilogue)
    : attrs_(attrs), depthwise_(depthwise), epilogue_(epilogue), state_(new State()) {}

OneDnnConv::~OneDnnConv() = default;

std::shared_ptr<const OneDnnConv::Primitive> OneDnnConv::PrimitiveFor(const WindowGeometry& g,
                                                                      int64_t out_channels) const {
  const memory::dim n = g.batch, c = g.channels, oc = out_channels;
  const memory::dim mult = depthwise_ && c > 0 ? oc / c : 0;
  auto md = [](memory::dims dims, Tag tag) {
    return memory::desc(dims, memory::data_type::f32, tag);
  };
  auto p = std::make_shared<Primitive>();
  // Without packed matmul weights the product forms that pay run on GemmPacked (Run).
  if (OneDnnMatMulPacksWeights()) p->matmul_form = MatMulFormOf(attrs_, g, depthwise_, oc);
  if (p->matmul_form) return MatMulPrimitive(std::move(p), oc);
  p->src = md({n, c, g.in_h, g.in_w}, Tag::nhwc);
  p->dst = md({n, oc, g.out_h, g.out_w}, Tag::nhwc);
  const memory::dims weight_dims =
      depthwise_ ? memory::dims{c, mult, 1, g.k_h, g.k_w} : memory::dims{oc, c, g.k_h, g.k_w};
  p->user_weights = md(weight_dims, depthwise_ ? Tag::hwigo : Tag::hwio);
  const memory::desc any_weights = md(weight_dims, Tag::any);
  if (epilogue_.bias) p->bias = md({oc}, Tag::x);
  // TensorFlow's padding at the end is whatever makes its output size; oneDNN derives the output
  // size from it, and a negative one (VALID leaving input unused) floors to the same size at 0.
  auto pad_end = [](int64_t out, int64_t stride, int64_t k, int64_t dilation, int64_t in,
                    int64_t pad_begin) {
    return std::max<int64_t>(0, (out - 1) * stride + (k - 1) * dilation + 1 - in - pad_begin);
  };
  const memory::dims strides = {attrs_.stride_h, attrs_.stride_w};
  const memory::dims dilates = {attrs_.dilation_h - 1, attrs_.dilation_w - 1};
  const memory::dims pad_l = {g.pad_top, g.pad_left};
  const memory::dims pad_r = {
      pad_end(g.out_h, attrs_.stride_h, g.k_h, attrs_.dilation_h, g.in_h, g.pad_top),
      pad_end(g.out_w, attrs_.stride_w, g.k_w, attrs_.dilation_w, g.in_w, g.pad_left)};
  const dnnl::primitive_attr attr = EpilogueAttr(p->dst, epilogue_);
  try {
    const auto kind = dnnl::prop_kind::forward_inference;
    const auto algorithm = dnnl::algorithm::convolution_direct;
    const dnnl::convolution_forward::desc desc =
        epilogue_.bias
            ? dnnl::convolution_forward::desc(kind, algorithm, p->src, any_weights, p->bias, p->dst,
                                              strides, dilates, pad_l, pad_r)
            : dnnl::convolution_forward::desc(kind, algorithm, p->src, any_weights, p->dst, strides,
                                              dilates, pad_l, pad_r);
    dnnl::convolution_forward::primitive_desc pd(desc, attr, OneDnnEngine());
    // oneDNN may only offer a reference implementation for odd shapes; the own kernels are
    // faster than that.
    if (IsReferenceImpl(pd)) return nullptr;
    // Nor is its grouped GEMM for a depthwise filter larger than the padded map (AVX2 CPUs:
    // EfficientNetB0's 5x5 over a 1x1 or 2x2 map took 3-4.5 ms a call at batch 8 where the own
    // loop does 0.23 M multiply-adds).
    if (depthwise_ && IsGemmImpl(pd)) return nullptr;
    // Nor its GEMM convolution with the residual as a binary post-op: oneDNN 2.6.3 added the
    // wrong residual elements there (an Intel Xeon with AVX-512, a dilated 3x3 over a 5x1 map at
    // batch 2: off by up to 0.45 on outputs of about 2; OneDnnConvTest.EveryEpilogue...).
    if (epilogue_.residual && IsGemmImpl(pd)) return nullptr;
    p->weights = pd.weights_desc();
    p->scratchpad = pd.scratchpad_desc();
    p->primitive = dnnl::convolution_forward(pd);
    p->args = std::make_unique<const OneDnnArgsPool>(p->src, p->dst, p->scratchpad, p->bias);
  } catch (const dnnl::error&) {
    return nullptr;
  }
  return p;
}

bool OneDnnConv::Run(const WindowGeometry& g, const float* in, const Tensor& filter,
                     const float* bias, const float* residual, float* out) const {
  const int64_t out_channels = depthwise_ ? g.channels * filter.dim(3) : filter.dim(3);
  if (!depthwise_) {
    // Looked for on this call only where it may not run on a primitive.
    const bool one_row = g.batch * g.out_h * g.out_w == 1;
    const bool matmul_packs = OneDnnMatMulPacksWeights();
    const std::optional<MatMulForm> form =
        one_row || !matmul_packs ? MatMulFormOf(attrs_, g, depthwise_, out_channels)
                                 : ClassedWindowsFormOf(attrs_, g, depthwise_, out_channels);
    std::optional<TapClasses> classes;
    if (form && form->input == MatMulForm::Input::kWindows) {
      classes = TapClasses::For(
          g, attrs_,
          {.h0 = form->tap_h0, .h1 = form->tap_h1, .w0 = form->tap_w0, .w1 = form->tap_w1});
    }
    // A one-pixel product the primitive would run, GemmPacked runs (kPackedOverPrimitiveMaxRows);
    // a smaller one runs on the GEMV below. So do a 3x3 map's tap classes
    // (kMatMulWindowsMaxPixels).
    const bool packs_classes = matmul_packs && !one_row && classes.has_value();
    const bool packs_one_pixel =
        form && one_row && OnePixelConvRunsOnPrimitive(form->depth, out_channels);
    if (form && (!matmul_packs || packs_one_pixel || packs_classes) && PacksProductForm(*form, g)) {
      std::shared_ptr<const PackedMatrix> packed =
          state_->packed.For(filter, form->tap_offset, form->depth, out_channels);
      if (packed != nullptr) {
        RunPackedProduct(*form, g, in, bias, residual, out, *packed, classes);
        return true;
      }
    }
    if (form && one_row && !packs_one_pixel) {
      RunProduct(*form, g, in, filter, bias, residual, out);
      return true;
    }
  }
  // Idle cores only for convolutions with work to share (kBorrowCoresMinFlops).
  const double flops = 2.0 * static_cast<double>(g.batch * g.out_h * g.out_w * out_channels) *
                       static_cast<double>(g.k_h * g.k_w) *
                       static_cast<double>(depthwise_ ? 1 : g.channels);
  std::optional<IntraOpThreads::OpScope> cores;
  if (flops >= kBorrowCoresMinFlops) cores.emplace();
  const int threads = cores ? cores->threads() : 1;
  UseOmpThreads(threads);
  std::shared_ptr<const Primitive> p;
  ReorderedWeights::InUse weights;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    const std::array<int64_t, 6> key = {g.batch, g.in_h, g.in_w, g.channels, out_channels, threads};
    auto it = state_->primitives.find(key);
    if (it == state_->primitives.end()) {
      it = state_->primitives.emplace(key, PrimitiveFor(g, out_channels)).first;
    }
    p = it->second;
    if (p == nullptr) return false;
    weights = state_->weights.For(filter, p->user_weights, p->weights);
  }
  if (p->matmul_form) in = MatMulInput(*p->matmul_form, g, in);
  std::unique_ptr<OneDnnArgs> args = p->args->Take();
  if (epilogue_.residual) {
    if (!args->residual) {
      args->residual = memory(p->dst, OneDnnEngine(), nullptr);
      args->map.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, args->residual);
    }
    args->residual.set_data_handle(const_cast<float*>(residual));
  }
  args->Execute(p->primitive, in, out, weights.memory, bias);
  p->args->GiveBack(std::move(args));
  return true;
}

void OneDnnConv::RunPackedProduct(const MatMulForm& form, const WindowGeometry& g, const float* in,
                                  const float* bias, const float* residual, float* out,
                                  const PackedMatrix& packed,
                                  const std::optional<TapClasses>& classes) const {
  const int64_t m = form.rows, n = packed.n(), depth = form.depth;
  if (classes) {
    // With AVX-512 (3x3 maps) the cores share the classes' rows: InceptionV3 b8's classes of 24
    // rows, each splitting the filter's panels between two cores, took 1.1-2x of the primitives'
    // time; sharing the rows, 0.64-0.86x.
    const TapClasses::CoreShare share = OneDnnMatMulPacksWeights()
                                            ? TapClasses::CoreShare::kRows
                                            : TapClasses::CoreShare::kLikeGemmPackedInChunks;
    classes->Run(
        in, packed, out,
        [&](int64_t row) {
          ApplyEpilogue(bias, residual != nullptr ? residual + row * n : nullptr, out + row * n, 1,
                        n);
        },
        share);
    return;
  }
  const int64_t chunk_rows = std::max<int64_t>(
      kPackedChunkMinRows, kPackedChunkBytes / (std::max<int64_t>(depth, 1) * sizeof(float)));
  // The bias, residual and a ReLU or ReLU6 are applied as the tiles are stored; any other
  // activation over each chunk after.
  const std::optional<StoreActivation> stored = AsStoreActivation(epilogue_.activation);
  std::function<void(int64_t, int64_t)> activate_rows;
  if (!stored) {
    activate_rows = [&](int64_t first, int64_t rows) {
      ApplyFusedActivationInPlace(epilogue_.activation, epilogue_.alpha, out + first * n, rows * n);
    };
  }
  const PackedEpilogue in_store{.bias = epilogue_.bias ? bias : nullptr,
                                .residual = epilogue_.residual ? residual : nullptr,
                                .activation = stored.value_or(StoreActivation::kNone)};
  GemmPackedInChunks(
      m, chunk_rows, packed, out,
      [&](int64_t first, int64_t rows) -> const float* {
        if (form.input != MatMulForm::Input::kWindows) return in + first * depth;
        thread_local std::vector<float> windows;
        windows.resize(static_cast<size_t>(rows * depth));
        GatherWindows(form, g, in, first, first + rows, windows.data());
        return windows.data();
      },
      activate_rows, in_store);
}

void OneDnnConv::RunProduct(const MatMulForm& form, const WindowGeometry& g, const float* in,
                            const Tensor& filter, const float* bias, const float* residual,
                            float* out) const {
  const int64_t m = form.rows, n = filter.dim(3);
  // Lends itself the idle cores it splits the filter among.
  Gemm({.a = MatMulInput(form, g, in),
        .b = filter.flat<float>() + form.tap_offset,
        .c = out,
        .m = m,
        .k = form.depth,
        .n = n});
  ApplyEpilogue(bias, residual, out, m, n);
}

void OneDnnConv::ApplyEpilogue(const float* bias, const float* residual, float* out, int64_t rows,
                               int64_t out_channels) const {
  const int64_t n = out_channels;
  for (int64_t i = 0; i < rows; ++i) {
    float* row = out + i * n;
    if (epilogue_.bias) {
      for (int64_t j = 0; j < n; ++j) row[j] += bias[j];
    }
    if (epilogue_.residual) {
      const float* add = residual + i * n;
      for (int64_t j = 0; j < n; ++j) row[j] += add[j];
    }
  }
  ApplyFusedActivationInPlace(epilogue_.activation, epilogue_.alpha, out, rows * n);
}

std::shared_ptr<const OneDnnConv::Primitive> OneDnnConv::MatMulPrimitive(
    std::shared_ptr<Primitive> p, int64_t out_channels) const {
  const MatMulForm& form = *p->matmul_form;
  const memory::dim m = form.rows, k = form.depth, n = out_channels;
  auto md = [](memory::dims dims, Tag tag) {
    return memory::desc(dims, memory::data_type::f32, tag);
  };
  p->src = md({m, k}, Tag::ab);
  p->dst = md({m, n}, Tag::ab);
  // The [C,OC] block of the [KH,KW,C,OC] filter: a reorder reads from offset0.
  p->user_weights = md({k, n}, Tag::ab);
  p->user_weights.data.offset0 = form.tap_offset;
  if (epilogue_.bias) p->bias = md({1, n}, Tag::ab);
  std::optional<OneDnnMatMulPrimitive> made =
      CreateOneDnnMatMul(p->src, p->bias, p->dst, EpilogueAttr(p->dst, epilogue_));
  if (!made) return nullptr;
  p->primitive = made->matmul;
  p->weights = made->weights;
  p->scratchpad = made->scratchpad;
  p->args = std::make_unique<const OneDnnArgsPool>(p->src, p->dst, p->scratchpad, p->bias);
  return p;
}

const float* OneDnnConv::MatMulInput(const MatMulForm& form, const WindowGeometry& g,
                                     const float* in) const {
  if (form.input == MatMulForm::Input::kAsItLies) return in;
  // Per thread, grown to the largest seen: a kernel instance runs on many threads.
  thread_local std::vector<float> rows;
  rows.resize(static_cast<size_t>(form.rows * form.depth));
  GatherWindows(form, g, in, 0, form.rows, rows.data());
  return rows.data();
}

void OneDnnConv::GatherWindows(const MatMulForm& form, const WindowGeometry& g, const float* in,
                               int64_t first, int64_t end, float* to) const {
  const int64_t c = g.channels, image_pixels = g.out_h * g.out_w;
  const size_t pixel_bytes = static_cast<size_t>(c) * sizeof(float);
  for (int64_t row = first; row < end; ++row) {
    const int64_t b = row / image_pixels, y = row % image_pixels / g.out_w, x = row % g.out_w;
    const float* image = in + b * g.in_h * g.in_w * c;
    for (int64_t ky = form.tap_h0; ky < form.tap_h1; ++ky) {
      const int64_t iy = y * attrs_.stride_h - g.pad_top + ky * attrs_.dilation_h;
      for (int64_t kx = form.tap_w0; kx < form.tap_w1; ++kx) {
        const int64_t ix = x * attrs_.stride_w - g.pad_left + kx * attrs_.dilation_w;
        if (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w) {
          std::memcpy(to, image + (iy * g.in_w + ix) * c, pixel_bytes);
        } else {
          std::memset(to, 0, pixel_bytes);
        }
        to += c;
      }
    }
  }
}

}  // namespace tern
