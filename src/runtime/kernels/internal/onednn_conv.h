// Float convolutions on oneDNN (Debian's libdnnl 2.x): Conv2D and depthwise (grouped)
// convolution over NHWC tensors, with an epilogue fused as post-ops (a per-channel bias, a
// residual addend of the output's shape, an activation). A convolution that is a matrix product
// (a 1x1 filter, one pixel in and out, or an output of a few pixels per image, after copying
// out its windows) runs on oneDNN's matmul primitive instead, or on Gemm's GEMV when it has one
// row.
//
// One OneDnnConv belongs to one kernel instance. A primitive is created the first time an input
// shape is seen and cached; the filter is reordered into the layout that primitive chose once
// per filter buffer (a Tensor is never mutated, so the same buffer means the same values; a
// variable that is assigned hands out a new buffer, which is reordered again).
//
// Thread-safety: Run may be called concurrently. The caches sit behind a mutex held only while
// looking up or creating; primitives execute outside it with a scratchpad of the calling thread.
// Threads: Debian builds oneDNN with OpenMP. A call uses the cores IntraOpThreads lends it (idle
// ones, when the limit allows; else only the calling thread): the calling thread sets its own
// OpenMP thread count (an OpenMP ICV is per thread) to that before every oneDNN call, so oneDNN
// never starts more threads than there are idle cores to compete with Tern's compute pool.
#pragma once

#include <memory>
#include <optional>

#include "runtime/kernels/internal/fused_activation.h"
#include "runtime/kernels/internal/tap_classes.h"
#include "runtime/kernels/internal/window.h"
#include "runtime/tensor.h"

namespace tern {

// What follows the convolution, in this order: + bias[oc], + residual[n,oh,ow,oc], activation.
struct ConvEpilogue {
  bool bias = false;
  bool residual = false;
  FusedActivation activation = FusedActivation::kNone;
  float alpha = 0.2f;  // kLeakyRelu's slope for negative inputs; kSwish's beta
};

struct MatMulForm;

class OneDnnConv {
 public:
  // `depthwise`: the filter is [KH,KW,C,M] and input channel c makes outputs c*M..c*M+M-1;
  // otherwise it is [KH,KW,C,OC].
  OneDnnConv(const WindowAttrs& attrs, bool depthwise, ConvEpilogue epilogue);
  ~OneDnnConv();
  OneDnnConv(const OneDnnConv&) = delete;
  OneDnnConv& operator=(const OneDnnConv&) = delete;

  // out [N,OH,OW,OC] = activation(conv(in, filter) + bias + residual), for the geometry `g`
  // the caller computed and checked. `bias` and `residual` are read only when the epilogue has
  // them. Returns false, having written nothing, when oneDNN has no implementation for this
  // shape: the caller then runs its own kernel.
  bool Run(const WindowGeometry& g, const float* in, const Tensor& filter, const float* bias,
           const float* residual, float* out) const;

 private:
  struct Primitive;
  struct State;
  std::shared_ptr<const Primitive> PrimitiveFor(const WindowGeometry& g,
                                                int64_t out_channels) const;
  // For a convolution that runs as a matrix product: `p` with its matmul primitive, or nullptr.
  std::shared_ptr<const Primitive> MatMulPrimitive(std::shared_ptr<Primitive> p,
                                                   int64_t out_channels) const;
  // A product form on GemmPacked over `packed` (the filter's block), a chunk of rows at a time:
  // gathered, multiplied and finished while they sit in L2, the chunks split among idle cores
  // when there are enough of them; by `classes` when set (a windows form's tap classes).
  void RunPackedProduct(const MatMulForm& form, const WindowGeometry& g, const float* in,
                        const float* bias, const float* residual, float* out,
                        const PackedMatrix& packed, const std::optional<TapClasses>& classes) const;
  // A product form on Gemm over the filter in place, then the epilogue.
  void RunProduct(const MatMulForm& form, const WindowGeometry& g, const float* in,
                  const Tensor& filter, const float* bias, const float* residual, float* out) const;
  // Bias, residual and activation over `rows` rows of `out` (`residual`: those rows' addends).
  void ApplyEpilogue(const float* bias, const float* residual, float* out, int64_t rows,
                     int64_t out_channels) const;
  // The product's left matrix: `in` itself, or the windows the filter reads copied out as rows
  // (a buffer of the calling thread, valid until its next call).
  const float* MatMulInput(const MatMulForm& form, const WindowGeometry& g, const float* in) const;
  // The windows of output pixels [first, end) (in N,OH,OW order), over the taps `form` gathers,
  // C values per tap, to `to`.
  void GatherWindows(const MatMulForm& form, const WindowGeometry& g, const float* in,
                     int64_t first, int64_t end, float* to) const;

  const WindowAttrs attrs_;
  const bool depthwise_;
  const ConvEpilogue epilogue_;
  std::unique_ptr<State> state_;
};

// Whether OneDnnConv is used at all: TERN_ONEDNN=0 in the environment turns it off (for
// benchmarks that compare it with the own kernels, and as an escape hatch). Read once.
bool OneDnnEnabled();

}  // namespace tern
