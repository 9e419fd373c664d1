// Softmax: exp(x - max) / sum(exp(x - max)) over the last dimension (rank >= 1); float, double.
// Subtracting the row max keeps exp from overflowing, as TensorFlow does.
#include <cmath>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
void SoftmaxRows(const T* in, int64_t rows, int64_t depth, T* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* x = in + r * depth;
    T* y = out + r * depth;
    T max = x[0];
    for (int64_t j = 1; j < depth; ++j) max = x[j] > max ? x[j] : max;
    T sum = 0;
    for (int64_t j = 0; j < depth; ++j) sum += (y[j] = std::exp(x[j] - max));
    for (int64_t j = 0; j < depth; ++j) y[j] /= sum;
  }
}

Status ComputeSoftmax(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 1) return ctx.Error("logits must have rank >= 1, got a scalar");
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  const int64_t depth = x.dim(x.rank() - 1);
  if (depth == 0 || x.num_elements() == 0) return Status::Ok();
  const int64_t rows = x.num_elements() / depth;
  switch (x.dtype()) {
    case tensorflow::DT_FLOAT: SoftmaxRows(x.flat<float>(), rows, depth, out->flat<float>()); break;
    case tensorflow::DT_DOUBLE:
      SoftmaxRows(x.flat<double>(), rows, depth, out->flat<double>());
      break;
    default:
      return ctx.Error("dtype " + DataTypeName(x.dtype()) + " is not supported (float, double)");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSoftmaxKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSoftmax>::Create(c);
}

}  // namespace tern
