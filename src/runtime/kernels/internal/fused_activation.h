// The activation a fused kernel (_FusedConv2D, _FusedMatMul) applies after its bias and addend,
// by the op name TensorFlow's fused ops use for it, and its value per element for the kernels'
// own fallback loops. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/kernels/internal/gemm.h"

namespace tern {

// kSwish is x * sigmoid(alpha * x) (Keras' "swish"); kLeakyRelu's slope for negative inputs
// is alpha. The GELUs are tf.nn.gelu's forms (internal/vector_math.h computes them).
enum class FusedActivation {
  kNone,
  kRelu,
  kRelu6,
  kElu,
  kLeakyRelu,
  kSigmoid,
  kSwish,
  kGeluApproximate,
  kGeluExact,
};

// Relu, Relu6, Elu, LeakyRelu, Sigmoid, _MklSwish (TensorFlow's name for swish), and with
// `gelu` also GeluApproximate and GeluExact (TensorFlow's _FusedMatMul names).
std::optional<FusedActivation> FusedActivationNamed(const std::string& name, bool gelu);

// The activation of one value; the GELUs are left to the vectorized kernels and return v.
float ApplyFusedActivation(FusedActivation activation, float alpha, float v);

// The activation the packed GEMM applies as it stores c (ReLU, ReLU6, none); nullopt for the
// others, which run in a pass over c.
std::optional<StoreActivation> AsStoreActivation(FusedActivation activation);

// bias [n] added to each of the `rows` rows of c [rows, n], in place (the fused products' bias).
void AddBiasToRows(const float* bias, int64_t rows, int64_t n, float* c);

// The activation over `n` values in place, one loop per activation (so the compiler vectorizes
// the simple ones), the GELUs with internal/vector_math.h's kernels.
void ApplyFusedActivationInPlace(FusedActivation activation, float alpha, float* data, int64_t n);

}  // namespace tern
