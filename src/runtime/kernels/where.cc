// Where (one input): the coordinates of the non-zero (true) elements, int64 [count, rank], in
// row-major order.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeWhere(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const int64_t n = in.num_elements();
  std::vector<int64_t> hits;
  if (in.dtype() == tensorflow::DT_BOOL) {
    for (int64_t i = 0; i < n; ++i) {
      if (in.flat<bool>()[i]) hits.push_back(i);
    }
  } else {
    TERN_RETURN_IF_ERROR(DispatchRealNumber(
        in.dtype(), "input",
        [&]<typename T>() -> Status {
          for (int64_t i = 0; i < n; ++i) {
            if (in.flat<T>()[i] != T(0)) hits.push_back(i);
          }
          return Status::Ok();
        },
        ctx));
  }
  const int rank = in.rank();
  const std::vector<int64_t> strides = RowMajorStrides(in.shape().dims());
  Tensor out(tensorflow::DT_INT64, TensorShape{static_cast<int64_t>(hits.size()), rank});
  int64_t* o = out.flat<int64_t>();
  for (size_t k = 0; k < hits.size(); ++k) {
    int64_t rest = hits[k];
    for (int d = 0; d < rank; ++d) {
      o[k * rank + d] = rest / strides[d];
      rest %= strides[d];
    }
  }
  ctx.set_output(0, std::move(out));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateWhereKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeWhere>::Create(c);
}

}  // namespace tern
