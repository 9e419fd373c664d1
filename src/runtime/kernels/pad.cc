// Pad and PadV2: surrounds the input with constant_values (0 for Pad) as paddings [rank, 2]
// (before, after; non-negative) says. Every dtype (strings pad with "" / the given value).
#include <algorithm>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/paddings.h"
#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
void PadCopy(const T* in, std::span<const int64_t> in_dims, const std::vector<int64_t>& before,
             const std::vector<int64_t>& out_dims, T* out) {
  const int rank = static_cast<int>(in_dims.size());
  const auto out_strides = RowMajorStrides(out_dims);
  int64_t offset = 0;
  for (int d = 0; d < rank; ++d) offset += before[d] * out_strides[d];
  // Scatter each input row (innermost dim) to its place in the output.
  int64_t total = 1;
  for (int64_t d : in_dims) total *= d;
  if (total == 0) return;
  const int64_t inner = rank ? in_dims[rank - 1] : 1;
  std::vector<int64_t> counter(rank, 0);
  for (int64_t i = 0; i < total; i += inner) {
    int64_t dst = offset;
    for (int d = 0; d + 1 < rank; ++d) dst += counter[d] * out_strides[d];
    CopyElements(in + i, inner, out + dst);
    for (int d = rank - 2; d >= 0; --d) {
      if (++counter[d] < in_dims[d]) break;
      counter[d] = 0;
    }
  }
}

Status ComputePad(KernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& paddings = ctx.input(1);
  const int rank = input.rank();
  std::vector<int64_t> pads;
  TERN_RETURN_IF_ERROR(ReadPaddings(ctx, input, paddings, &pads));
  std::vector<int64_t> before(rank), out_dims(rank);
  for (int d = 0; d < rank; ++d) {
    if (pads[2 * d] < 0 || pads[2 * d + 1] < 0) {
      return ctx.Error("paddings must be non-negative, got " + std::to_string(pads[2 * d]) + ", " +
                       std::to_string(pads[2 * d + 1]) + " for dim " + std::to_string(d));
    }
    before[d] = pads[2 * d];
    out_dims[d] = input.dim(d) + pads[2 * d] + pads[2 * d + 1];
  }
  const bool has_value = ctx.num_inputs() > 2;
  if (has_value && (ctx.input(2).num_elements() != 1 || ctx.input(2).dtype() != input.dtype())) {
    return ctx.Error("constant_values must be a scalar of the input's dtype");
  }
  if (input.dtype() == tensorflow::DT_STRING || rank < 2) {
    TERN_ASSIGN_OR_RETURN(Tensor * out,
                          ctx.AllocateOutput(0, input.dtype(), TensorShape(out_dims)));
    return DispatchByElementSize(
        input.dtype(), "input",
        [&]<typename T>() -> Status {
          T* o = out->flat<T>();
          if (has_value) std::fill(o, o + out->num_elements(), ctx.input(2).flat<T>()[0]);
          PadCopy<T>(input.flat<T>(), input.shape().dims(), before, out_dims, o);
          return Status::Ok();
        },
        ctx);
  }
  // Slab by slab of the outermost dim (an image of a batch), each filled, then its input's rows
  // copied in, on the cores lent to memory-bound ops: one pass over the output, in parallel.
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, input.dtype(), TensorShape(out_dims),
                                                         Tensor::Contents::kUnset));
  const std::vector<int64_t> in_slab_dims(input.shape().dims().begin() + 1,
                                          input.shape().dims().end());
  const std::vector<int64_t> slab_before(before.begin() + 1, before.end());
  const std::vector<int64_t> out_slab_dims(out_dims.begin() + 1, out_dims.end());
  int64_t in_slab = 1, out_slab = 1;
  for (int d = 1; d < rank; ++d) {
    in_slab *= input.dim(d);
    out_slab *= out_dims[d];
  }
  return DispatchByElementSize(
      input.dtype(), "input",
      [&]<typename T>() -> Status {
        const T value = has_value ? ctx.input(2).flat<T>()[0] : T{};
        const T* in = input.flat<T>();
        T* o = out->flat<T>();
        ForEachRowRange(out_dims[0], 2 * out_slab * static_cast<int64_t>(sizeof(T)),
                        [&](int64_t begin, int64_t end) {
                          for (int64_t slab = begin; slab < end; ++slab) {
                            T* dst = o + slab * out_slab;
                            std::fill(dst, dst + out_slab, value);
                            const int64_t from = slab - before[0];
                            if (from < 0 || from >= input.dim(0)) continue;
                            PadCopy<T>(in + from * in_slab, in_slab_dims, slab_before,
                                       out_slab_dims, dst);
                          }
                        });
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreatePadKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputePad>::Create(c);
}

}  // namespace tern
