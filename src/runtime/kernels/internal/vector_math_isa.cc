// One build of vector_math.h's functions; CMake compiles this file once per ISA with
// TERN_VECTOR_MATH_ISA naming it (Baseline, Avx2Fma, Avx512) and `Eigen` renamed, as
// gemm_isa.cc is, so each build keeps its own template instantiations.
#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>

#include <cmath>

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
  const float kSqrt2 = static_cast<float>(1.4142135623730951);
  const ConstMap x(in, n);
  Map(out, n) = (0.5f * x) * (1.f + (x / kSqrt2).erf());
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
void TERN_ISA(SoftmaxRows)(const float* in, int64_t rows, int64_t depth, bool log, float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const ConstMap x(in + r * depth, depth);
    Map y(out + r * depth, depth);
    y = x - x.maxCoeff();
    if (log) {
      y -= std::log(y.exp().sum());
    } else {
      y = y.exp();
      y *= 1.f / y.sum();
    }
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

}  // namespace tern
