// Slice: the block of `input` starting at `begin` with extent `size` per dimension (size -1:
// to the end). Any dtype.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeSlice(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  std::vector<int64_t> begin, size;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "begin", &begin));
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(2), "size", &size));
  const int rank = in.rank();
  if (static_cast<int>(begin.size()) != rank || static_cast<int>(size.size()) != rank) {
    return ctx.Error("Expected begin and size arguments to be 1-D tensors of size " +
                     std::to_string(rank) + ", but got shapes " +
                     ctx.input(1).shape().DebugString() + " and " +
                     ctx.input(2).shape().DebugString() + " instead.");
  }
  std::vector<int64_t> dims(rank);
  for (int d = 0; d < rank; ++d) {
    const int64_t extent = in.dim(d);
    if (size[d] == -1) size[d] = extent - begin[d];
    if (begin[d] < 0 || size[d] < 0 || begin[d] + size[d] > extent) {
      return ctx.Error("Expected begin[" + std::to_string(d) + "] = " + std::to_string(begin[d]) +
                       " and size[" + std::to_string(d) + "] = " + std::to_string(size[d]) +
                       " to be within [0, " + std::to_string(extent) + "]");
    }
    dims[d] = size[d];
  }
  const std::vector<int64_t> strides = RowMajorStrides(in.shape().dims());
  int64_t offset = 0;
  for (int d = 0; d < rank; ++d) offset += begin[d] * strides[d];
  Tensor out(in.dtype(), TensorShape(dims));
  return DispatchByElementSize(
      in.dtype(), "input",
      [&]<typename T>() -> Status {
        StridedGather(in.flat<T>(), offset, dims, strides, out.flat<T>());
        ctx.set_output(0, std::move(out));
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSliceKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSlice>::Create(c);
}

}  // namespace tern
