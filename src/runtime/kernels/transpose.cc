// Transpose: y.dims[i] = x.dims[perm[i]] (perm: 1-D int32/int64 permutation of 0..rank-1).
// Any dtype; the identity permutation shares the input's buffer.
#include <type_traits>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeTranspose(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> perm;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "perm", &perm));
  const int rank = x.rank();
  TERN_RETURN_IF_ERROR(CheckPermutation(ctx, perm, "perm", x.shape(), "x"));
  const std::vector<int64_t> in_strides = RowMajorStrides(x.shape().dims());
  std::vector<int64_t> out_dims(rank), strides(rank);
  bool identity = true;
  for (int i = 0; i < rank; ++i) {
    out_dims[i] = x.dim(static_cast<int>(perm[i]));
    strides[i] = in_strides[perm[i]];
    if (perm[i] != i && x.dim(static_cast<int>(perm[i])) != 1) identity = false;
  }
  // Moving only size-1 dims does not change the memory order.
  if (identity) {
    ctx.set_output(0, x.WithShape(TensorShape(std::move(out_dims))));
    return Status::Ok();
  }
  return DispatchByElementSize(
      x.dtype(), "x",
      [&]<typename T>() -> Status {
        TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), TensorShape(out_dims),
                                                               Tensor::Contents::kUnset));
        if (out->num_elements() == 0) return Status::Ok();
        if constexpr (!std::is_trivially_copyable_v<T>) {
          StridedGather(x.flat<T>(), 0, out_dims, strides, out->flat<T>());
        } else {
          // Numbers: bands of the output's first dim split among idle cores.
          const int64_t band = out->num_elements() / out_dims[0];
          ForEachRowRange(out_dims[0], band * static_cast<int64_t>(sizeof(T)),
                          [&](int64_t begin, int64_t end) {
                            std::vector<int64_t> dims = out_dims;
                            dims[0] = end - begin;
                            StridedGather(x.flat<T>(), begin * strides[0], dims, strides,
                                          out->flat<T>() + begin * band);
                          });
        }
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTransposeKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeTranspose>::Create(c);
}

}  // namespace tern
