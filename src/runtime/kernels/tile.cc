// Tile: repeats the input multiples[i] times along each dimension i (multiples: 1-D int32/int64
// with one non-negative entry per input dimension). Any dtype.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
void TileRows(const T* in, std::span<const int64_t> in_dims, const std::vector<int64_t>& out_dims,
              T* out) {
  const int rank = static_cast<int>(in_dims.size());
  const std::vector<int64_t> in_strides = RowMajorStrides(in_dims);
  const int64_t in_row = in_dims[rank - 1];
  const int64_t out_row = out_dims[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d + 1 < rank; ++d) rows *= out_dims[d];
  std::vector<int64_t> out_counter(rank, 0);
  std::vector<int64_t> in_counter(rank, 0);
  int64_t src = 0;
  for (int64_t r = 0; r < rows; ++r) {
    T* dst = out + r * out_row;
    for (int64_t k = 0; k < out_row; k += in_row) CopyElements(in + src, in_row, dst + k);
    for (int d = rank - 2; d >= 0; --d) {
      ++out_counter[d];
      ++in_counter[d];
      src += in_strides[d];
      if (in_counter[d] == in_dims[d]) {
        src -= in_strides[d] * in_dims[d];
        in_counter[d] = 0;
      }
      if (out_counter[d] < out_dims[d]) break;
      out_counter[d] = 0;
      src -= in_strides[d] * in_counter[d];
      in_counter[d] = 0;
    }
  }
}

Status ComputeTile(KernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  std::vector<int64_t> multiples;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "multiples", &multiples));
  const int rank = input.rank();
  if (static_cast<int>(multiples.size()) != rank) {
    return ctx.Error("multiples has " + std::to_string(multiples.size()) + " entries but input " +
                     input.shape().DebugString() + " has rank " + std::to_string(rank));
  }
  std::vector<int64_t> out_dims(rank);
  bool identity = true;
  for (int i = 0; i < rank; ++i) {
    if (multiples[i] < 0) {
      return ctx.Error("multiples[" + std::to_string(i) + "] must be >= 0, got " +
                       std::to_string(multiples[i]));
    }
    if (input.dim(i) != 0 && multiples[i] > (int64_t{1} << 40) / input.dim(i)) {
      return ctx.Error("tiled shape is too large");
    }
    out_dims[i] = input.dim(i) * multiples[i];
    if (multiples[i] != 1) identity = false;
  }
  if (identity) {
    ctx.set_output(0, input);
    return Status::Ok();
  }
  return DispatchByElementSize(
      input.dtype(), "input",
      [&]<typename T>() -> Status {
        TERN_ASSIGN_OR_RETURN(Tensor * out,
                              ctx.AllocateOutput(0, input.dtype(), TensorShape(out_dims)));
        if (out->num_elements() > 0) {
          TileRows(input.flat<T>(), input.shape().dims(), out_dims, out->flat<T>());
        }
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTileKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeTile>::Create(c);
}

}  // namespace tern
