#include "runtime/kernels/internal/batch_mat_mul.h"

#include <Eigen/Core>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/gemm.h"
#include "runtime/kernels/internal/parallel_rows.h"

namespace tern {
namespace {

template <typename T>
void MultiplyBatches(const MatMulOperands& op, const std::vector<int64_t>& ia,
                     const std::vector<int64_t>& ib, int64_t m, int64_t k, int64_t n, Tensor& out) {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Tensor& a = *op.a;
  const Tensor& b = *op.b;
  const int64_t ar = a.dim(a.rank() - 2), ac = a.dim(a.rank() - 1);
  const int64_t br = b.dim(b.rank() - 2), bc = b.dim(b.rank() - 1);
  for (size_t batch = 0; batch < ia.size(); ++batch) {
    Eigen::Map<const Matrix> ma(a.flat<T>() + ia[batch] * ar * ac, ar, ac);
    Eigen::Map<const Matrix> mb(b.flat<T>() + ib[batch] * br * bc, br, bc);
    Eigen::Map<Matrix> mc(out.flat<T>() + static_cast<int64_t>(batch) * m * n, m, n);
    if (!op.transpose_a && !op.transpose_b) {
      mc.noalias() = ma * mb;
    } else if (op.transpose_a && !op.transpose_b) {
      mc.noalias() = ma.transpose() * mb;
    } else if (!op.transpose_a && op.transpose_b) {
      mc.noalias() = ma * mb.transpose();
    } else {
      mc.noalias() = ma.transpose() * mb.transpose();
    }
  }
  (void)k;
}

// float: each batch on Gemm, the GEMM built for this CPU's widest vectors (this file itself is
// compiled for baseline x86-64, where Eigen's products would use SSE2 only).
void MultiplyFloatBatches(const MatMulOperands& op, const std::vector<int64_t>& ia,
                          const std::vector<int64_t>& ib, int64_t m, int64_t k, int64_t n,
                          Tensor& out) {
  const Tensor& a = *op.a;
  const Tensor& b = *op.b;
  const int64_t a_size = a.dim(a.rank() - 2) * a.dim(a.rank() - 1);
  const int64_t b_size = b.dim(b.rank() - 2) * b.dim(b.rank() - 1);
  auto batches = [&](int64_t begin, int64_t end) {
    for (int64_t batch = begin; batch < end; ++batch) {
      GemmArgs g;
      g.a = a.flat<float>() + ia[batch] * a_size;
      g.b = b.flat<float>() + ib[batch] * b_size;
      g.c = out.flat<float>() + batch * m * n;
      g.m = m;
      g.k = k;
      g.n = n;
      g.transpose_a = op.transpose_a;
      g.transpose_b = op.transpose_b;
      Gemm(g);
    }
  };
  // Products too small for Gemm to split (attention's per-head products) are split by batch
  // among idle cores instead; a FLOP counts as a byte moved would.
  const int64_t flops = 2 * m * k * n;
  if (flops < 4'000'000) {
    ForEachRowRange(static_cast<int64_t>(ia.size()), flops, batches);
  } else {
    batches(0, static_cast<int64_t>(ia.size()));
  }
}

}  // namespace

StatusOr<MatMulDims> MatrixProductDims(const KernelContext& ctx, const MatMulOperands& op) {
  const Tensor& a = *op.a;
  const Tensor& b = *op.b;
  MatMulDims dims;
  dims.m = op.transpose_a ? a.dim(1) : a.dim(0);
  dims.k = op.transpose_a ? a.dim(0) : a.dim(1);
  const int64_t kb = op.transpose_b ? b.dim(1) : b.dim(0);
  dims.n = op.transpose_b ? b.dim(0) : b.dim(1);
  if (dims.k != kb) {
    return ctx.Error("inner dimensions do not match: a " + a.shape().DebugString() +
                     (op.transpose_a ? " (transposed)" : "") + ", b " + b.shape().DebugString() +
                     (op.transpose_b ? " (transposed)" : ""));
  }
  return dims;
}

StatusOr<Tensor> BatchedMatMul(const KernelContext& ctx, const MatMulOperands& op) {
  const Tensor& a = *op.a;
  const Tensor& b = *op.b;
  if (a.dtype() != b.dtype()) {
    return ctx.Error("x and y have different dtypes: " + DataTypeName(a.dtype()) + " and " +
                     DataTypeName(b.dtype()));
  }
  if (a.rank() < 2 || b.rank() < 2) {
    return ctx.Error("x and y must have rank >= 2, got shapes " + a.shape().DebugString() +
                     " and " + b.shape().DebugString());
  }
  const int ra = a.rank(), rb = b.rank();
  const int64_t m = op.transpose_a ? a.dim(ra - 1) : a.dim(ra - 2);
  const int64_t k = op.transpose_a ? a.dim(ra - 2) : a.dim(ra - 1);
  const int64_t kb = op.transpose_b ? b.dim(rb - 1) : b.dim(rb - 2);
  const int64_t n = op.transpose_b ? b.dim(rb - 2) : b.dim(rb - 1);
  if (k != kb) {
    return ctx.Error("inner dimensions do not match: x " + a.shape().DebugString() +
                     (op.transpose_a ? " (adjoint)" : "") + ", y " + b.shape().DebugString() +
                     (op.transpose_b ? " (adjoint)" : ""));
  }
  const TensorShape batch_a(
      std::vector<int64_t>(a.shape().dims().begin(), a.shape().dims().end() - 2));
  const TensorShape batch_b(
      std::vector<int64_t>(b.shape().dims().begin(), b.shape().dims().end() - 2));
  auto batch = BroadcastShape(batch_a, batch_b);
  if (!batch.ok()) {
    return ctx.Error("batch dimensions of x " + a.shape().DebugString() + " and y " +
                     b.shape().DebugString() + " do not broadcast");
  }
  std::vector<int64_t> dims = batch->dim_vector();
  dims.push_back(m);
  dims.push_back(n);
  auto created = Tensor::Create(a.dtype(), TensorShape(dims),
                                k > 0 ? Tensor::Contents::kUnset : Tensor::Contents::kZeros);
  if (!created.ok()) return ctx.Error(created.status().message());
  Tensor out = std::move(created).value();
  if (out.num_elements() == 0 || k == 0) return out;  // zero-filled
  const std::vector<int64_t> ia = BroadcastIndex(batch_a, *batch);
  const std::vector<int64_t> ib = BroadcastIndex(batch_b, *batch);
  switch (a.dtype()) {
    case tensorflow::DT_FLOAT: MultiplyFloatBatches(op, ia, ib, m, k, n, out); break;
    case tensorflow::DT_DOUBLE: MultiplyBatches<double>(op, ia, ib, m, k, n, out); break;
    case tensorflow::DT_INT32: MultiplyBatches<int32_t>(op, ia, ib, m, k, n, out); break;
    case tensorflow::DT_INT64: MultiplyBatches<int64_t>(op, ia, ib, m, k, n, out); break;
    default:
      return ctx.Error("dtype " + DataTypeName(a.dtype()) +
                       " is not supported (float, double, int32, int64)");
  }
  return out;
}

Status BatchedMatMulToOutput(KernelContext& ctx, const MatMulOperands& operands, int output_index) {
  TERN_ASSIGN_OR_RETURN(Tensor out, BatchedMatMul(ctx, operands));
  ctx.set_output(output_index, std::move(out));
  return Status::Ok();
}

}  // namespace tern
