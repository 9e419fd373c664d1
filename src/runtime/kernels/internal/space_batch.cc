#include "runtime/kernels/internal/space_batch.h"

namespace tern {

Status SpaceBatchToOutput(KernelContext& ctx, SpaceBatchDirection direction) {
  const bool to_batch = direction == SpaceBatchDirection::kSpaceToBatch;
  const char* pads_name = to_batch ? "paddings" : "crops";
  const Tensor& input = ctx.input(0);
  std::vector<int64_t> block, pads;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "block_shape", &block));
  TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, ctx.input(2), pads_name, &pads));
  const int m = static_cast<int>(block.size());
  if (ctx.input(2).shape() != TensorShape{m, 2}) {
    return ctx.Error(std::string(pads_name) + " must have shape [" + std::to_string(m) +
                     ",2], got " + ctx.input(2).shape().DebugString());
  }
  if (input.rank() < 1 + m) {
    return ctx.Error("input of shape " + input.shape().DebugString() + " has fewer than " +
                     std::to_string(1 + m) + " dimensions (batch and " + std::to_string(m) +
                     " spatial)");
  }
  int64_t block_size = 1;
  for (int i = 0; i < m; ++i) {
    if (block[i] < 1) {
      return ctx.Error("block_shape must be positive, got " + TensorShape(block).DebugString());
    }
    if (pads[2 * i] < 0 || pads[2 * i + 1] < 0) {
      return ctx.Error(std::string(pads_name) + " must be non-negative, got " +
                       std::to_string(pads[2 * i]) + ", " + std::to_string(pads[2 * i + 1]));
    }
    block_size *= block[i];
  }
  int64_t rest = 1;
  for (int d = 1 + m; d < input.rank(); ++d) rest *= input.dim(d);

  // Shapes of the space side (padded) and the batch side.
  int64_t space_batch;
  std::vector<int64_t> padded(m), batch_spatial(m);
  if (to_batch) {
    space_batch = input.dim(0);
    for (int i = 0; i < m; ++i) {
      padded[i] = input.dim(1 + i) + pads[2 * i] + pads[2 * i + 1];
      if (padded[i] % block[i] != 0) {
        return ctx.Error("padded spatial dimension " + std::to_string(i) + " (" +
                         std::to_string(padded[i]) + ") is not divisible by block size " +
                         std::to_string(block[i]));
      }
      batch_spatial[i] = padded[i] / block[i];
    }
  } else {
    if (input.dim(0) % block_size != 0) {
      return ctx.Error("input batch " + std::to_string(input.dim(0)) +
                       " is not divisible by the product of block_shape " +
                       std::to_string(block_size));
    }
    space_batch = input.dim(0) / block_size;
    for (int i = 0; i < m; ++i) {
      batch_spatial[i] = input.dim(1 + i);
      padded[i] = batch_spatial[i] * block[i];
      if (pads[2 * i] + pads[2 * i + 1] > padded[i]) {
        return ctx.Error("crops for dimension " + std::to_string(i) + " exceed its size " +
                         std::to_string(padded[i]));
      }
    }
  }
  std::vector<int64_t> out_dims;
  if (to_batch) {
    out_dims.push_back(space_batch * block_size);
    for (int i = 0; i < m; ++i) out_dims.push_back(batch_spatial[i]);
  } else {
    out_dims.push_back(space_batch);
    for (int i = 0; i < m; ++i) out_dims.push_back(padded[i] - pads[2 * i] - pads[2 * i + 1]);
  }
  for (int d = 1 + m; d < input.rank(); ++d) out_dims.push_back(input.dim(d));

  return DispatchByElementSize(
      input.dtype(), "input",
      [&]<typename T>() -> Status {
        TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, input.dtype(), TensorShape(out_dims)));
        if (out->num_elements() == 0) return Status::Ok();
        const T* in = input.flat<T>();
        T* o = out->flat<T>();
        // Walk the batch-side positions (offset, n, o_1..o_M); map each to the space side.
        const std::vector<int64_t> space_dims = [&] {
          std::vector<int64_t> d = {space_batch};
          for (int i = 0; i < m; ++i) d.push_back(to_batch ? input.dim(1 + i) : out_dims[1 + i]);
          return d;
        }();
        const std::vector<int64_t> space_strides = RowMajorStrides(space_dims);
        int64_t rows = 1;  // spatial positions per batch-side image
        for (int i = 0; i < m; ++i) rows *= batch_spatial[i];
        std::vector<int64_t> offset(m, 0), pos(m, 0);
        int64_t batch_row = 0;  // flat (batch, o_1..o_M) position on the batch side
        for (int64_t off = 0; off < block_size; ++off) {
          for (int64_t n = 0; n < space_batch; ++n) {
            std::fill(pos.begin(), pos.end(), 0);
            for (int64_t r = 0; r < rows; ++r, ++batch_row) {
              int64_t space_row = n * space_strides[0];
              bool inside = true;
              for (int i = 0; i < m && inside; ++i) {
                const int64_t p = pos[i] * block[i] + offset[i] - pads[2 * i];
                inside = p >= 0 && p < space_dims[1 + i];
                space_row += p * space_strides[1 + i];
              }
              if (inside) {
                if (to_batch) {
                  CopyElements(in + space_row * rest, rest, o + batch_row * rest);
                } else {
                  CopyElements(in + batch_row * rest, rest, o + space_row * rest);
                }
              }
              for (int i = m - 1; i >= 0; --i) {
                if (++pos[i] < batch_spatial[i]) break;
                pos[i] = 0;
              }
            }
          }
          for (int i = m - 1; i >= 0; --i) {
            if (++offset[i] < block[i]) break;
            offset[i] = 0;
          }
        }
        return Status::Ok();
      },
      ctx);
}

}  // namespace tern
