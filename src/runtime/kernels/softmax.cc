// Softmax: exp(x - max) / sum(exp(x - max)) over the last dimension (rank >= 1); float, double.
// LogSoftmax: (x - max) - log(sum(exp(x - max))), the same rows in log space.
// Subtracting the row max keeps exp from overflowing, as TensorFlow does. float rows run on
// vector_math.h (this CPU's widest vectors; this file is compiled for baseline x86-64).
#include <cmath>

#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/internal/vector_math.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <bool kLog, typename T>
void SoftmaxRowsScalar(const T* in, int64_t rows, int64_t depth, T* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* x = in + r * depth;
    T* y = out + r * depth;
    T max = x[0];
    for (int64_t j = 1; j < depth; ++j) max = x[j] > max ? x[j] : max;
    T sum = 0;
    if constexpr (kLog) {
      for (int64_t j = 0; j < depth; ++j) sum += std::exp(y[j] = x[j] - max);
      const T log_sum = std::log(sum);
      for (int64_t j = 0; j < depth; ++j) y[j] -= log_sum;
    } else {
      for (int64_t j = 0; j < depth; ++j) sum += (y[j] = std::exp(x[j] - max));
      for (int64_t j = 0; j < depth; ++j) y[j] /= sum;
    }
  }
}

template <bool kLog>
Status ComputeSoftmax(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 1) return ctx.Error("logits must have rank >= 1, got a scalar");
  TERN_ASSIGN_OR_RETURN(Tensor * out,
                        ctx.AllocateOutput(0, x.dtype(), x.shape(), Tensor::Contents::kUnset));
  const int64_t depth = x.dim(x.rank() - 1);
  if (depth == 0 || x.num_elements() == 0) return Status::Ok();
  const int64_t rows = x.num_elements() / depth;
  switch (x.dtype()) {
    case tensorflow::DT_FLOAT:
      // Split among idle cores: an exp per element costs what moving ~8 floats would.
      ForEachRowRange(rows, 8 * depth * static_cast<int64_t>(sizeof(float)),
                      [&](int64_t begin, int64_t end) {
                        SoftmaxRows(x.flat<float>() + begin * depth, end - begin, depth, kLog,
                                    out->flat<float>() + begin * depth);
                      });
      break;
    case tensorflow::DT_DOUBLE:
      SoftmaxRowsScalar<kLog>(x.flat<double>(), rows, depth, out->flat<double>());
      break;
    default:
      return ctx.Error("dtype " + DataTypeName(x.dtype()) + " is not supported (float, double)");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSoftmaxKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSoftmax<false>>::Create(c);
}

StatusOr<std::unique_ptr<OpKernel>> CreateLogSoftmaxKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSoftmax<true>>::Create(c);
}

}  // namespace tern
