// Batched matrix product shared by BatchMatMul(V2/V3) and Einsum: out[..., m, n] =
// op(a)[..., m, k] * op(b)[..., k, n] with NumPy broadcasting of the batch dimensions, each
// product by Eigen's blocked GEMM on maps of the buffers (no copies of the operands).
// Stateless; thread-safe.
#pragma once

#include "runtime/kernel.h"

namespace tern {

struct MatMulOperands {
  const Tensor* a = nullptr;
  const Tensor* b = nullptr;
  bool transpose_a = false;
  bool transpose_b = false;
};

// The sizes of the 2-D product op(a)[m, k] * op(b)[k, n] (MatMul, _FusedMatMul), for 2-D a and
// b; INVALID_ARGUMENT naming both shapes when op(a)'s columns are not op(b)'s rows.
struct MatMulDims {
  int64_t m = 0, k = 0, n = 0;
};
StatusOr<MatMulDims> MatrixProductDims(const KernelContext& ctx, const MatMulOperands& operands);

// Writes the product to output `output_index`. a and b have rank >= 2 and the same dtype
// (float, double, int32, int64).
Status BatchedMatMulToOutput(KernelContext& ctx, const MatMulOperands& operands, int output_index);

// The same into a fresh tensor (for Einsum, which reshapes the result).
StatusOr<Tensor> BatchedMatMul(const KernelContext& ctx, const MatMulOperands& operands);

}  // namespace tern
