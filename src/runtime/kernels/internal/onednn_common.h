// What the oneDNN-backed kernels (onednn_conv.h, onednn_matmul.h) share: the CPU engine, a
// stream and a scratchpad per thread, activations as post-ops, and a pool of spare execute
// arguments. Thread-safe: the engine is immutable, streams and scratchpads are per thread.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "runtime/kernels/internal/fused_activation.h"
#include "runtime/tensor.h"

namespace tern {

const dnnl::engine& OneDnnEngine();
dnnl::stream& OneDnnThreadStream();

// The work below which a primitive runs on its calling thread rather than borrowing idle cores
// (intra_op.h). A parallel region costs a few microseconds, while a batch-1 model's small-map
// layers (10-60 us each, most streaming their weights from memory at single-core bandwidth) gain
// from a second core down to about this size: 1e6 left MobileNetV2 and EfficientNet 15-20%
// slower at batch 1 with two threads, and 3e4 or 0 measured the same as this.
inline constexpr double kBorrowCoresMinFlops = 1e5;

// Whether a product of one row (batch 1 through a dense layer, or a convolution with one output
// pixel) with weights [k, n] runs on the primitive's packed weights rather than on Gemm's GEMV
// over the weights as they lie. The GEMV reads the weights as one stream and the primitive
// (16-column panels for one row, CreateOneDnnMatMul) as many: from memory the primitive read
// them 2-3x faster (weight_panels_bench, 1 x 1280 x 320: GEMV 1.98x, 16-column 0.61x of the
// 64-column layout), in cache the GEMV was level and the primitive's fixed cost per call (a
// few microseconds) decides. So where the weights come from sets the bar, and the two callers
// see different cases (measured on an AMD EPYC, Zen 4, per layer and paired in the models):
// - a one-pixel convolution sits at the end of a convolutional net, after its 14-100 MB of
//   weights have been read, so its weights come from memory: the primitive won from 0.85 MB
//   (EfficientNetB0 b1's 1152 x 192, 70 -> 48 us; InceptionV3 b1's 2048 x 448, 435 -> 164 us)
//   and lost below 0.65 MB (DenseNet121's 1024 x 128, MobileNetV2's 160 x 960: +2-6 us);
// - a dense layer may be all a small net has: the MLP's 0.5-1 MB layers stay in cache run after
//   run and lost 1.45x on the primitive, so dense layers take it only when large and wide (the
//   classifiers, ResNet50's 2048 x 1000: GEMV 1.2-1.7x slower from memory).
// On the Intel Xeon measured before, the GEMV was ahead on a 1 x 1024 x 128 product (0.87x).
inline constexpr int64_t kOnePixelConvPrimitiveMinBytes = int64_t{768} << 10;
inline constexpr int64_t kOneRowDensePrimitiveMinCols = 512;
inline constexpr int64_t kOneRowDensePrimitiveMinBytes = int64_t{2} << 20;
inline int64_t FloatWeightBytes(int64_t k, int64_t n) {
  return k * n * static_cast<int64_t>(sizeof(float));
}
inline bool OnePixelConvRunsOnPrimitive(int64_t k, int64_t n) {
  return FloatWeightBytes(k, n) >= kOnePixelConvPrimitiveMinBytes;
}
inline bool OneRowDenseRunsOnPrimitive(int64_t k, int64_t n) {
  return n >= kOneRowDensePrimitiveMinCols &&
         FloatWeightBytes(k, n) >= kOneRowDensePrimitiveMinBytes;
}

// Where the matmul primitive packs its weights (AVX-512), the products of at most this many rows
// that would run on it run on GemmPacked instead, b packed once into 32-column panels
// (gemm_packed.h): the dense layers of 2..16 rows, and the one-row ones (dense or one-pixel
// convolution) that clear the bars above. Measured on an Intel Xeon (Emerald Rapids, 2 MB L2),
// paired in the models: the MLP at batch 8 0.82-0.84x of its time on the primitive, at 16 0.96x, at
// 32 and 64 1.14-1.20x (the primitive's 64-column panels, walked in depth blocks, keep more of b in
// L1); per layer, InceptionV3 b1's and ResNet50 b1's one-pixel convolutions (1280-2048 x 192-512)
// 0.83-0.93x, their classifiers 0.92-0.94x. Products of gathered windows of more pixels stay on the
// primitives (ResNet50 b1's 3x3 filters on 2x2 maps took 1.15-1.47x on GemmPacked).
// Re-measured 2026-12-05 with 128: matmul_bench's rows/ (7 interleaved repetitions) had GemmPacked
// at 0.63-0.94x of the primitive for 32-128 rows and depths up to 1024 (1.05-1.20x at 1280), but
// the MLP at batch 64 in the model, paired against this build, ran 1.21x slower (12 rounds); in
// the bench the layers ran as fast either way minutes later. The limit stays at 16.
inline constexpr int64_t kPackedOverPrimitiveMaxRows = 16;

// The calling thread's scratchpad of at least `bytes` (a primitive may run in several threads
// at once, so it cannot own one). Valid until this thread asks for a larger one.
void* OneDnnThreadScratchpad(size_t bytes);

// The attributes Tern creates its primitives with: a scratchpad the caller passes (the thread's)
// and, as post-ops, a residual addend shaped like `residual_dst` (when not nullptr), then
// `activation` (alpha: kLeakyRelu's slope, kSwish's beta). The GELUs are not appended: the
// caller applies them with TensorFlow's approximations.
dnnl::primitive_attr EpilogueAttr(const dnnl::memory::desc* residual_dst,
                                  FusedActivation activation, float alpha);

// Whether oneDNN picked a reference implementation, slower than Tern's own kernels.
bool IsReferenceImpl(const dnnl::primitive_desc_base& pd);

// Whether oneDNN picked one of its GEMM-based implementations (gemm:jit, x64:gemm:jit).
bool IsGemmImpl(const dnnl::primitive_desc_base& pd);

// Whether oneDNN's float matmul packs its weights once (its brgemm kernels, which Debian's
// oneDNN 2.6 has for AVX-512 CPUs only). Elsewhere it runs its sgemm, which repacks them at
// every call, and Gemm is as fast or faster (an AVX2 AMD EPYC: the MLP's 8 x 512 x 512 took 90 us
// on the primitive, 72 on Gemm's few-row kernel). Asked of oneDNN once per process.
bool OneDnnMatMulPacksWeights();

// A float matmul primitive: src [m,k] x weights [k,n] in the layout it picks (+ bias [1,n] when
// `bias` is not a zero desc) -> dst [m,n], with `attr`. nullopt when oneDNN has only a
// reference implementation or none.
struct OneDnnMatMulPrimitive {
  dnnl::matmul matmul;
  dnnl::memory::desc weights, scratchpad;
};
std::optional<OneDnnMatMulPrimitive> CreateOneDnnMatMul(const dnnl::memory::desc& src,
                                                        const dnnl::memory::desc& bias,
                                                        const dnnl::memory::desc& dst,
                                                        const dnnl::primitive_attr& attr);

// A float weight tensor reordered into the layouts primitives chose for it, once per layout and
// per weight buffer: a Tensor is never mutated, so the same buffer means the same values (a
// variable that is assigned hands out a new buffer, which is reordered again). Holds the source
// tensor, so its buffer is not reused while cached. The reordered copies live in weight_arena.h's
// huge-page chunks. Not thread-safe: callers lock around For.
class ReorderedWeights {
 public:
  // A reordered copy; `memory` is valid while `owner` is held (a run holds it while it executes,
  // so a copy dropped meanwhile by a new source outlives that run).
  struct InUse {
    dnnl::memory memory;
    std::shared_ptr<void> owner;
  };
  // `source` (laid out as `user`) in layout `wanted`.
  InUse For(const Tensor& source, const dnnl::memory::desc& user, const dnnl::memory::desc& wanted);

 private:
  struct Reordered {
    dnnl::memory::desc desc;
    InUse copy;
  };
  Tensor source_;
  std::vector<Reordered> reordered_;
};

// Spare objects of one kind (a primitive's memory objects, pointed at each run's buffers), so
// that a run does not create them anew: Take returns a spare one or nullptr, GiveBack keeps it
// for the next run. Thread-safe.
template <typename T>
class SparePool {
 public:
  std::unique_ptr<T> Take() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (spare_.empty()) return nullptr;
    std::unique_ptr<T> item = std::move(spare_.back());
    spare_.pop_back();
    return item;
  }
  void GiveBack(std::unique_ptr<T> item) const {
    std::lock_guard<std::mutex> lock(mu_);
    spare_.push_back(std::move(item));
  }

 private:
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<T>> spare_;
};

// The memory objects of one execute of a primitive (convolution or matmul), pointed at a run's
// buffers. Creating them per run cost a batch-1 MobileNetV2 about 5% of its time, so a primitive
// keeps spare sets (OneDnnArgsPool) that each run takes, points and gives back.
struct OneDnnArgs {
  dnnl::memory src, dst, scratchpad, bias, residual;
  std::unordered_map<int, dnnl::memory> map;

  // Points the set at this run's buffers and `weights`, executes `primitive` on the calling
  // thread's stream with the thread's scratchpad, and waits. The bias is read only when the
  // primitive has one (bias_data); a residual, when wanted, is set by the caller before.
  void Execute(const dnnl::primitive& primitive, const float* in, float* out,
               const dnnl::memory& weights, const float* bias_data);
};

// Spare OneDnnArgs for one primitive's descs (bias: a zero desc when there is none).
class OneDnnArgsPool {
 public:
  OneDnnArgsPool(dnnl::memory::desc src, dnnl::memory::desc dst, dnnl::memory::desc scratchpad,
                 dnnl::memory::desc bias)
      : src_(src), dst_(dst), scratchpad_(scratchpad), bias_(bias) {}
  std::unique_ptr<OneDnnArgs> Take() const;
  void GiveBack(std::unique_ptr<OneDnnArgs> args) const { spare_.GiveBack(std::move(args)); }

 private:
  dnnl::memory::desc src_, dst_, scratchpad_, bias_;
  SparePool<OneDnnArgs> spare_;
};

}  // namespace tern
