// ConcatV2: joins N tensors along `axis` (the last input; int32 or int64, negative counts from
// the end). Inputs share dtype and rank (>= 1) and agree on every other dimension. Any dtype.
// Large outputs of fixed-size elements are copied on every idle core (internal/parallel_rows.h).
#include <type_traits>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeConcatV2(KernelContext& ctx) {
  const int n = ctx.num_inputs() - 1;
  if (n < 1) return ctx.Error("expected at least one value and an axis");
  int64_t axis = 0;
  TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(n), "axis", &axis));
  const Tensor& first = ctx.input(0);
  const int rank = first.rank();
  if (rank == 0) return ctx.Error("cannot concatenate scalars (use Pack)");
  if (axis < -rank || axis >= rank) {
    return ctx.Error("axis " + std::to_string(axis) + " is out of range for inputs of rank " +
                     std::to_string(rank));
  }
  if (axis < 0) axis += rank;
  std::vector<int64_t> out_dims = first.shape().dim_vector();
  out_dims[axis] = 0;
  for (int i = 0; i < n; ++i) {
    const Tensor& t = ctx.input(i);
    if (t.dtype() != first.dtype()) {
      return ctx.Error("values[" + std::to_string(i) + "] has dtype " + DataTypeName(t.dtype()) +
                       ", values[0] has " + DataTypeName(first.dtype()));
    }
    if (t.rank() != rank) {
      return ctx.Error("values[" + std::to_string(i) + "] has shape " + t.shape().DebugString() +
                       ", which does not have the rank of values[0] " +
                       first.shape().DebugString());
    }
    for (int d = 0; d < rank; ++d) {
      if (d != axis && t.dim(d) != first.dim(d)) {
        return ctx.Error("values[" + std::to_string(i) + "] has shape " + t.shape().DebugString() +
                         ", which does not match values[0] " + first.shape().DebugString() +
                         " in dimension " + std::to_string(d));
      }
    }
    out_dims[axis] += t.dim(axis);
  }
  if (n == 1) {
    ctx.set_output(0, first);
    return Status::Ok();
  }
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= first.dim(d);
  int64_t inner = 1;
  for (int d = static_cast<int>(axis) + 1; d < rank; ++d) inner *= first.dim(d);
  return DispatchByElementSize(
      first.dtype(), "values",
      [&]<typename T>() -> Status {
        // Unset: every element is copied in (strings start empty either way).
        TERN_ASSIGN_OR_RETURN(
            Tensor * out,
            ctx.AllocateOutput(0, first.dtype(), TensorShape(out_dims), Tensor::Contents::kUnset));
        T* const o = out->flat<T>();
        const int64_t row = out_dims[axis] * inner;
        auto copy_rows = [&](int64_t begin, int64_t end) {
          T* dst = o + begin * row;
          for (int64_t r = begin; r < end; ++r) {
            for (int i = 0; i < n; ++i) {
              const Tensor& t = ctx.input(i);
              const int64_t chunk = t.dim(static_cast<int>(axis)) * inner;
              CopyElements(t.flat<T>() + r * chunk, chunk, dst);
              dst += chunk;
            }
          }
        };
        if constexpr (std::is_trivially_copyable_v<T>) {
          ForEachRowRange(outer, row * static_cast<int64_t>(sizeof(T)), copy_rows);
        } else {
          copy_rows(0, outer);
        }
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateConcatV2Kernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeConcatV2>::Create(c);
}

}  // namespace tern
