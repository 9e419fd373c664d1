#include "runtime/kernels/internal/vector_math.h"

namespace tern {
namespace {

struct Choice {
  void (*gelu_approximate)(const float*, int64_t, float*);
  void (*gelu_exact)(const float*, int64_t, float*);
  void (*layer_norm_rows)(const LayerNormArgs&);
  void (*softmax_rows)(const float*, int64_t, int64_t, bool, float*);
  void (*masked_softmax_row)(const MaskedSoftmaxRowArgs&);
  void (*scale_shift_rows)(const ScaleShiftArgs&);
  void (*add_rows_in_double)(const float*, int64_t, int64_t, double*);
  void (*pool_rows)(const PoolArgs&);
};

Choice Choose() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) {
    return {&GeluApproximateAvx512, &GeluExactAvx512,        &LayerNormRowsAvx512,
            &SoftmaxRowsAvx512,     &MaskedSoftmaxRowAvx512, &ScaleShiftRowsAvx512,
            &AddRowsInDoubleAvx512, &PoolRowsAvx512};
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {&GeluApproximateAvx2Fma, &GeluExactAvx2Fma,        &LayerNormRowsAvx2Fma,
            &SoftmaxRowsAvx2Fma,     &MaskedSoftmaxRowAvx2Fma, &ScaleShiftRowsAvx2Fma,
            &AddRowsInDoubleAvx2Fma, &PoolRowsAvx2Fma};
  }
#endif
  return {&GeluApproximateBaseline, &GeluExactBaseline,        &LayerNormRowsBaseline,
          &SoftmaxRowsBaseline,     &MaskedSoftmaxRowBaseline, &ScaleShiftRowsBaseline,
          &AddRowsInDoubleBaseline, &PoolRowsBaseline};
}

const Choice& TheChoice() {
  static const Choice choice = Choose();
  return choice;
}

}  // namespace

void GeluApproximate(const float* in, int64_t n, float* out) {
  TheChoice().gelu_approximate(in, n, out);
}

void GeluExact(const float* in, int64_t n, float* out) { TheChoice().gelu_exact(in, n, out); }

void LayerNormRows(const LayerNormArgs& args) { TheChoice().layer_norm_rows(args); }

void SoftmaxRows(const float* in, int64_t rows, int64_t depth, bool log, float* out) {
  TheChoice().softmax_rows(in, rows, depth, log, out);
}

void MaskedSoftmaxRow(const MaskedSoftmaxRowArgs& args) { TheChoice().masked_softmax_row(args); }

void ScaleShiftRows(const ScaleShiftArgs& args) { TheChoice().scale_shift_rows(args); }

void AddRowsInDouble(const float* in, int64_t rows, int64_t depth, double* acc) {
  TheChoice().add_rows_in_double(in, rows, depth, acc);
}

void PoolRows(const PoolArgs& args) { TheChoice().pool_rows(args); }

}  // namespace tern
