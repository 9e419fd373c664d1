// Split: `value` cut into num_split equal pieces along `axis` (input 0, a scalar; negative
// counts from the end). The dimension must divide evenly.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {

// Writes pieces of `value` along `axis` with the given sizes to outputs 0..n-1 (split_v.cc too).
Status SplitToOutputs(KernelContext& ctx, const Tensor& value, int axis,
                      const std::vector<int64_t>& sizes) {
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= value.dim(d);
  int64_t inner = 1;
  for (int d = axis + 1; d < value.rank(); ++d) inner *= value.dim(d);
  const int64_t row = value.dim(axis) * inner;
  return DispatchByElementSize(
      value.dtype(), "value",
      [&]<typename T>() -> Status {
        int64_t start = 0;
        for (size_t k = 0; k < sizes.size(); ++k) {
          std::vector<int64_t> dims = value.shape().dim_vector();
          dims[axis] = sizes[k];
          TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(static_cast<int>(k), value.dtype(),
                                                                 TensorShape(dims)));
          const int64_t chunk = sizes[k] * inner;
          T* o = out->flat<T>();
          for (int64_t r = 0; r < outer; ++r) {
            CopyElements(value.flat<T>() + r * row + start * inner, chunk, o + r * chunk);
          }
          start += sizes[k];
        }
        return Status::Ok();
      },
      ctx);
}

namespace {

Status ComputeSplit(KernelContext& ctx) {
  const Tensor& value = ctx.input(1);
  int64_t requested_axis = 0;
  TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(0), "axis", &requested_axis));
  int axis = 0;
  TERN_RETURN_IF_ERROR(ResolveAxis(ctx, requested_axis, value, "value", &axis));
  const int n = ctx.num_outputs();
  if (n < 1) return ctx.Error("num_split must be at least 1");
  const int64_t size = value.dim(axis);
  if (size % n != 0) {
    return ctx.Error("dimension " + std::to_string(axis) + " of shape " +
                     value.shape().DebugString() + " (" + std::to_string(size) +
                     ") is not divisible by num_split " + std::to_string(n));
  }
  return SplitToOutputs(ctx, value, axis, std::vector<int64_t>(n, size / n));
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSplitKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSplit>::Create(c);
}

}  // namespace tern
