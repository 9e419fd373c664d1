// Pad and PadV2: surrounds the input with constant_values (0 for Pad) as paddings [rank, 2]
// (before, after; non-negative) says. Every dtype (strings pad with "" / the given value).
#include <algorithm>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/paddings.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
void PadCopy(const T* in, const std::vector<int64_t>& in_dims, const std::vector<int64_t>& before,
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
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, input.dtype(), TensorShape(out_dims)));
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

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreatePadKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputePad>::Create(c);
}

}  // namespace tern
