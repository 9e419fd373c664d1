// One build of vector_math.h's functions; CMake compiles this file once per ISA with
// TERN_VECTOR_MATH_ISA naming it (Baseline, Avx2Fma, Avx512) and `Eigen` renamed, as
// gemm_isa.cc is, so each build keeps its own template instantiations.
#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>

#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/kernels/internal/vector_math.h"

#define TERN_CONCAT_(a, b) a##b
#define TERN_CONCAT(a, b) TERN_CONCAT_(a, b)
#define TERN_ISA(name) TERN_CONCAT(name, TERN_VECTOR_MATH_ISA)

namespace tern {
namespace {

using Array = Eigen::Array<float, Eigen::Dynamic, 1>;
using ConstMap = Eigen::Map<const Array>;
using Map = Eigen::Map<Array>;

}  // namespace

void TERN_ISA(GeluApproximate)(const float* in, int64_t n, float* out) {
  const float kSqrt2OverPi = static_cast<float>(0.7978845608028654);
  const float kCoeff = static_cast<float>(0.044715);
  const ConstMap x(in, n);
  Map(out, n) = (0.5f * x) * (1.f + (kSqrt2OverPi * (x + kCoeff * x.cube())).tanh());
}

void TERN_ISA(GeluExact)(const float* in, int64_t n, float* out) {
  // A product, not TensorFlow's division by sqrt(2) (within an ulp of it): erf already divides
  // once per vector, and a second division made the divider, not the FMAs, the bound.
  const float kInvSqrt2 = static_cast<float>(0.7071067811865476);
  const ConstMap x(in, n);
  Map(out, n) = (0.5f * x) * (1.f + (x * kInvSqrt2).erf());
}

void TERN_ISA(LayerNormRows)(const LayerNormArgs& a) {
  const int64_t depth = a.depth;
  Array scale(depth), shift(depth);
  const float n = static_cast<float>(depth);
  for (int64_t r = 0; r < a.rows; ++r) {
    const ConstMap row(a.in + r * depth, depth);
    const float mean = row.sum() / n;
    const float variance = (row - mean).square().sum() / n;
    const float inv = 1.f / std::sqrt(variance + a.epsilon);
    if (a.gamma != nullptr) {
      scale = inv * ConstMap(a.gamma, depth);
    } else {
      scale.setConstant(inv);
    }
    if (a.beta != nullptr) {
      shift = (-mean) * scale + ConstMap(a.beta, depth);
    } else {
      shift = (-mean) * scale;
    }
    Map(a.out + r * depth, depth) = row * scale + shift;
  }
}

// Eigen's vectorized exp and log (TensorFlow's kernel computes with Eigen too).
namespace {

namespace ei = Eigen::internal;
using Packet = ei::packet_traits<float>::type;
constexpr int kLanes = static_cast<int>(sizeof(Packet) / sizeof(float));

// exp(x) for x <= 0, as a softmax needs it after subtracting the row's max: 2^m * p(r) with
// m = floor(x / ln 2 + 1/2), r = x - m ln 2 (ln 2 in two parts) and p Cephes' degree-5 polynomial
// for exp on [-ln2/2, ln2/2], as Eigen's exp uses (1.2e-7 relative error at most; Eigen's own
// differs from this by an ulp at most). Faster than Eigen's pexp by scaling with 2^m made from
// its bits, which is exact while 2^m is a normal float: below ln(2^-126) the result is 0, where
// Eigen's would be a denormal (which TensorFlow's threads flush to zero). NaN stays NaN.
inline Packet ExpOfNonPositive(const Packet& x) {
  const Packet lowest = ei::pset1<Packet>(-87.33654f);  // ln(2^-126)
  const Packet clamped = ei::pmax<Eigen::PropagateNaN>(x, lowest);
  const Packet m = ei::pfloor(
      ei::pmadd(clamped, ei::pset1<Packet>(1.44269504088896341f), ei::pset1<Packet>(0.5f)));
  Packet r = ei::pmadd(m, ei::pset1<Packet>(-0.693359375f), clamped);
  r = ei::pmadd(m, ei::pset1<Packet>(2.12194440e-4f), r);
  Packet p = ei::pset1<Packet>(1.9875691500e-4f);
  p = ei::pmadd(p, r, ei::pset1<Packet>(1.3981999507e-3f));
  p = ei::pmadd(p, r, ei::pset1<Packet>(8.3334519073e-3f));
  p = ei::pmadd(p, r, ei::pset1<Packet>(4.1665795894e-2f));
  p = ei::pmadd(p, r, ei::pset1<Packet>(1.6666665459e-1f));
  p = ei::pmadd(p, r, ei::pset1<Packet>(5.0000001201e-1f));
  p = ei::pmadd(p, ei::pmul(r, r), ei::padd(r, ei::pset1<Packet>(1.f)));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // the vector type's alignment attribute
  using PacketI = ei::unpacket_traits<Packet>::integer_packet;
#pragma GCC diagnostic pop
  const PacketI biased = ei::padd(ei::pcast<Packet, PacketI>(m), ei::pset1<PacketI>(127));
  const Packet scaled = ei::pmul(p, ei::preinterpret<Packet>(ei::plogical_shift_left<23>(biased)));
  return ei::pandnot(scaled, ei::pcmp_lt(x, lowest));
}

// out = exp(in - max(in)) over one row, in one pass after the max; returns the row's sum. `in`
// may be `out`.
float ExpOfShiftedRow(const float* in, int64_t depth, float* out) {
  const float max = ConstMap(in, depth).maxCoeff();
  const Packet shift = ei::pset1<Packet>(max);
  Packet sums = ei::pset1<Packet>(0.f);
  int64_t k = 0;
  for (; k + kLanes <= depth; k += kLanes) {
    const Packet e = ExpOfNonPositive(ei::psub(ei::ploadu<Packet>(in + k), shift));
    ei::pstoreu(out + k, e);
    sums = ei::padd(sums, e);
  }
  float sum = ei::predux(sums);
  if (k < depth) {  // the tail through the same packet exp, so every element rounds alike
    alignas(64) float tail[kLanes] = {};
    std::copy(in + k, in + depth, tail);
    ei::pstore(tail, ExpOfNonPositive(ei::psub(ei::pload<Packet>(tail), shift)));
    for (int64_t i = 0; k + i < depth; ++i) {
      out[k + i] = tail[i];
      sum += tail[i];
    }
  }
  return sum;
}

// One row of SoftmaxRows; `in` may be `out`.
inline void SoftmaxRow(const float* in, int64_t depth, bool log, float* out) {
  if (log) {
    const ConstMap x(in, depth);
    Map y(out, depth);
    y = x - x.maxCoeff();
    y -= std::log(y.exp().sum());
    return;
  }
  const float inv_sum = 1.f / ExpOfShiftedRow(in, depth, out);
  Map(out, depth) *= inv_sum;
}

}  // namespace

void TERN_ISA(SoftmaxRows)(const float* in, int64_t rows, int64_t depth, bool log, float* out) {
  for (int64_t r = 0; r < rows; ++r) SoftmaxRow(in + r * depth, depth, log, out + r * depth);
}

void TERN_ISA(MaskedSoftmaxRow)(const MaskedSoftmaxRowArgs& a) {
  // Locals, bytes rather than bools, and x read whether or not it is kept: the selects then
  // compile to vector blends (GCC does not vectorize them over bool).
  const uint8_t* __restrict mask = reinterpret_cast<const uint8_t*>(a.mask);
  const float* __restrict x = a.x;
  float* __restrict y = a.out;
  const int64_t depth = a.depth;
  const float masked_logit = a.masked_logit, masked_output = a.masked_output;
  if (a.mask_step == 1 && a.x_step == 1) {
#pragma omp simd
    for (int64_t k = 0; k < depth; ++k) {
      const float v = x[k];
      y[k] = mask[k] != 0 ? v : masked_logit;
    }
  } else {
    const int64_t mask_step = a.mask_step, x_step = a.x_step;
    for (int64_t k = 0; k < depth; ++k) {
      const float v = x[k * x_step];
      y[k] = mask[k * mask_step] != 0 ? v : masked_logit;
    }
  }
  SoftmaxRow(y, depth, /*log=*/false, y);
  // A separate pass: GCC does not vectorize the select with the scaling inside it.
  if (a.mask_step == 1) {
#pragma omp simd
    for (int64_t k = 0; k < depth; ++k) {
      const float v = y[k];
      y[k] = mask[k] != 0 ? v : masked_output;
    }
  } else if (mask[0] == 0) {
    std::fill(y, y + depth, masked_output);
  }
}

void TERN_ISA(ScaleShiftRows)(const ScaleShiftArgs& a) {
  // Eigen 3.4.0's Array::max(scalar) lets a NaN through as the bound; these functors keep it.
  using Max = Eigen::internal::scalar_max_op<float, float, Eigen::PropagateNaN>;
  using Min = Eigen::internal::scalar_min_op<float, float, Eigen::PropagateNaN>;
  const int64_t channels = a.channels;
  const ConstMap scale(a.scale, channels);
  const ConstMap shift(a.shift, channels);
  const auto lower = Array::Constant(channels, a.lower);
  const auto upper = Array::Constant(channels, a.upper);
  const bool clamp_lower = !(std::isinf(a.lower) && a.lower < 0);
  const bool clamp_upper = !(std::isinf(a.upper) && a.upper > 0);
  for (int64_t r = 0; r < a.rows; ++r) {
    const ConstMap x(a.in + r * channels, channels);
    Map y(a.out + r * channels, channels);
    if (clamp_lower && clamp_upper) {
      y = (x * scale + shift).binaryExpr(lower, Max()).binaryExpr(upper, Min());
    } else if (clamp_lower) {
      y = (x * scale + shift).binaryExpr(lower, Max());
    } else if (clamp_upper) {
      y = (x * scale + shift).binaryExpr(upper, Min());
    } else {
      y = x * scale + shift;
    }
  }
}

void TERN_ISA(AddRowsInDouble)(const float* in, int64_t rows, int64_t depth, double* acc) {
  // Eigen 3.4 casts float to double one scalar at a time; this loop is vectorized
  // (-fopenmp-simd).
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * depth;
#pragma omp simd
    for (int64_t k = 0; k < depth; ++k) acc[k] += static_cast<double>(x[k]);
  }
}

namespace {

// kWidth channels of one output pixel, from its window's first channel `window` (rows x cols
// input pixels) into dst, the sums or maxima kept in a local block the compiler holds in
// registers rather than in dst.
template <int kWidth>
inline void PoolPixelBlock(const PoolArgs& a, const float* window, int64_t rows, int64_t cols,
                           float* dst) {
  const bool average = a.kind == PoolArgs::Kind::kAverage;
  const int64_t c = a.channels, row_stride = a.in_w * c;
  float acc[kWidth];
  const float start = average ? 0.0f : std::numeric_limits<float>::lowest();
#pragma omp simd
  for (int j = 0; j < kWidth; ++j) acc[j] = start;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t q = 0; q < cols; ++q) {
      const float* x = window + r * row_stride + q * c;
      if (average) {
#pragma omp simd
        for (int j = 0; j < kWidth; ++j) acc[j] += x[j];
      } else {
#pragma omp simd
        for (int j = 0; j < kWidth; ++j) acc[j] = x[j] > acc[j] ? x[j] : acc[j];
      }
    }
  }
  if (average && rows * cols > 0) {
    const float divisor = static_cast<float>(rows * cols);
#pragma omp simd
    for (int j = 0; j < kWidth; ++j) acc[j] /= divisor;
  }
#pragma omp simd
  for (int j = 0; j < kWidth; ++j) dst[j] = acc[j];
}

constexpr int kPoolBlock = 64;

}  // namespace

void TERN_ISA(PoolRows)(const PoolArgs& a) {
  const int64_t c = a.channels;
  for (int64_t row = a.first_row; row < a.end_row; ++row) {
    const int64_t n = row / a.out_h, oh = row % a.out_h;
    const int64_t h0 = oh * a.stride_h - a.pad_top;
    const int64_t h_begin = std::max<int64_t>(h0, 0), h_end = std::min(h0 + a.k_h, a.in_h);
    const int64_t rows = std::max<int64_t>(h_end - h_begin, 0);
    for (int64_t ow = 0; ow < a.out_w; ++ow) {
      const int64_t w0 = ow * a.stride_w - a.pad_left;
      const int64_t w_begin = std::max<int64_t>(w0, 0), w_end = std::min(w0 + a.k_w, a.in_w);
      const int64_t cols = std::max<int64_t>(w_end - w_begin, 0);
      const float* window = a.in + ((n * a.in_h + h_begin) * a.in_w + w_begin) * c;
      float* dst = a.out + (row * a.out_w + ow) * c;
      int64_t j = 0;
      for (; j + kPoolBlock <= c; j += kPoolBlock) {
        PoolPixelBlock<kPoolBlock>(a, window + j, rows, cols, dst + j);
      }
      for (; j + 16 <= c; j += 16) {
        PoolPixelBlock<16>(a, window + j, rows, cols, dst + j);
      }
      for (; j < c; ++j) PoolPixelBlock<1>(a, window + j, rows, cols, dst + j);
    }
  }
}

}  // namespace tern
