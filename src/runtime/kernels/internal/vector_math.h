// Row and elementwise float math for the fused kernels (_FusedGelu, _FusedLayerNorm,
// _FusedMaskedSoftmax), Softmax/LogSoftmax, the batch norms and Mean, built once
// per ISA (vector_math_isa.cc, as gemm_isa.cc is) and picked at run time: the binary runs on any
// x86-64, and a CPU with AVX2+FMA or AVX-512 gets 8 or 16 lanes instead of SSE2's 4. The math is
// Eigen's (its erf and tanh are the approximations TensorFlow's kernels compute). Stateless;
// thread-safe.
#pragma once

#include <cstdint>

namespace tern {

// out[i] = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))), x = in[i].
void GeluApproximate(const float* in, int64_t n, float* out);
// out[i] = 0.5 * x * (1 + erf(x / sqrt(2))).
void GeluExact(const float* in, int64_t n, float* out);

// Layer normalization of `rows` rows of `depth` floats: out = x * scale + shift with
// scale = inv * gamma, shift = -mean * scale + beta, inv = 1 / sqrt(variance + epsilon) (the
// order of Keras' graph). gamma and beta are `depth` floats, or nullptr for none.
struct LayerNormArgs {
  const float* in = nullptr;
  int64_t rows = 0, depth = 0;
  const float* gamma = nullptr;
  const float* beta = nullptr;
  float epsilon = 0;
  float* out = nullptr;
};
void LayerNormRows(const LayerNormArgs& args);

// Softmax (or, with `log`, LogSoftmax) of `rows` rows of `depth` floats, with the row max
// subtracted first as TensorFlow does. Softmax's exponentials are within an ulp of Eigen's (which
// TensorFlow uses), and 0 where they would be under 2^-126, as TensorFlow's flushed denormals are.
void SoftmaxRows(const float* in, int64_t rows, int64_t depth, bool log, float* out);

// Keras' masked softmax of one row of `depth` floats into `out` (which must not overlap the
// inputs): z[k] = mask[k * mask_step] ? x[k * x_step] : masked_logit, then SoftmaxRows of z
// (the same bits), then masked_output wherever the mask is false. A step is 1, or 0 for one
// value repeated along the row.
struct MaskedSoftmaxRowArgs {
  const bool* mask = nullptr;
  int64_t mask_step = 1;
  const float* x = nullptr;
  int64_t x_step = 1;
  int64_t depth = 0;
  float masked_logit = 0, masked_output = 0;
  float* out = nullptr;
};
void MaskedSoftmaxRow(const MaskedSoftmaxRowArgs& args);

// A per-channel affine map of `rows` rows of `channels` floats, clamped:
// out[r, c] = min(max(in[r, c] * scale[c] + shift[c], lower), upper), NaN staying NaN (an
// inference batch norm, with Relu or Relu6 folded in as the clamp). -inf and +inf clamp nothing.
struct ScaleShiftArgs {
  const float* in = nullptr;
  int64_t rows = 0, channels = 0;
  const float* scale = nullptr;
  const float* shift = nullptr;
  float lower = 0, upper = 0;
  float* out = nullptr;  // may be `in`
};
void ScaleShiftRows(const ScaleShiftArgs& args);

// acc[k] += in[r * depth + k] for every row r in order, summed in double: the float Mean over
// the middle dims of [outer, middle, inner] (global average pooling) a row at a time.
void AddRowsInDouble(const float* in, int64_t rows, int64_t depth, double* acc);

// Max or average pooling of float NHWC, for output rows [first_row, end_row) of
// [batch * out_h]: each output pixel takes the window of k_h x k_w input pixels at
// (oh * stride_h - pad_top, ow * stride_w - pad_left), positions outside the input left out.
// Max: the largest value (x > best, from the lowest float); average: the window's sum in window
// order divided by the positions it covers (0 when none), as TensorFlow's AvgPool does.
struct PoolArgs {
  const float* in = nullptr;
  float* out = nullptr;
  int64_t in_h = 0, in_w = 0, channels = 0, out_h = 0, out_w = 0;
  int64_t k_h = 0, k_w = 0, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0;
  int64_t first_row = 0, end_row = 0;
  enum class Kind { kMax, kAverage } kind = Kind::kMax;
};
void PoolRows(const PoolArgs& args);

// Each ISA's entry points (vector_math_isa.cc, compiled once per ISA).
#define TERN_VECTOR_MATH_DECLARE(Isa)                                                        \
  void GeluApproximate##Isa(const float* in, int64_t n, float* out);                         \
  void GeluExact##Isa(const float* in, int64_t n, float* out);                               \
  void LayerNormRows##Isa(const LayerNormArgs& args);                                        \
  void SoftmaxRows##Isa(const float* in, int64_t rows, int64_t depth, bool log, float* out); \
  void MaskedSoftmaxRow##Isa(const MaskedSoftmaxRowArgs& args);                              \
  void ScaleShiftRows##Isa(const ScaleShiftArgs& args);                                      \
  void AddRowsInDouble##Isa(const float* in, int64_t rows, int64_t depth, double* acc);      \
  void PoolRows##Isa(const PoolArgs& args);
TERN_VECTOR_MATH_DECLARE(Baseline)
TERN_VECTOR_MATH_DECLARE(Avx2Fma)
TERN_VECTOR_MATH_DECLARE(Avx512)
#undef TERN_VECTOR_MATH_DECLARE

}  // namespace tern
