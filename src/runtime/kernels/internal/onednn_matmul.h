// Float matrix products with a weight operand on oneDNN's matmul primitive (Debian's libdnnl
// 2.x): the weights are reordered once into the layout the primitive packs them in, where
// dnnl_sgemm (internal/gemm.h) repacks them at every call, and a bias and an activation run as
// post-ops. For the _FusedMatMul nodes runtime/optimize/fuse_mat_mul.h writes.
//
// One OneDnnMatMul belongs to one kernel instance. A primitive is created the first time a row
// count is seen and cached; the weights are reordered once per weight buffer (ReorderedWeights).
// Thread-safe: the caches sit behind a mutex held only while looking up or creating; primitives
// execute outside it, on the cores IntraOpThreads lends the call (as OneDnnConv's do).
#pragma once

#include <memory>

#include "runtime/kernels/internal/fused_activation.h"
#include "runtime/tensor.h"

namespace tern {

// What follows the product, in this order: + bias[n], activation (the GELUs are the caller's).
struct MatMulEpilogue {
  bool bias = false;
  FusedActivation activation = FusedActivation::kNone;
  float alpha = 0.2f;  // kLeakyRelu's slope for negative inputs; kSwish's beta
};

class OneDnnMatMul {
 public:
  // `transpose_b`: the weights are [N,K] rather than [K,N].
  OneDnnMatMul(bool transpose_b, MatMulEpilogue epilogue);
  ~OneDnnMatMul();
  OneDnnMatMul(const OneDnnMatMul&) = delete;
  OneDnnMatMul& operator=(const OneDnnMatMul&) = delete;

  // out [m,n] = activation(a [m,k] x weights + bias), row-major, for the shape the caller
  // checked. `bias` is read only when the epilogue has one. Returns false, having written
  // nothing, when oneDNN has no implementation for this shape: the caller then runs Gemm.
  bool Run(int64_t m, const float* a, const Tensor& weights, const float* bias, float* out) const;

 private:
  struct Primitive;
  struct State;
  std::shared_ptr<const Primitive> PrimitiveFor(int64_t m, int64_t k, int64_t n) const;

  const bool transpose_b_;
  const MatMulEpilogue epilogue_;
  std::unique_ptr<State> state_;
};

}  // namespace tern
