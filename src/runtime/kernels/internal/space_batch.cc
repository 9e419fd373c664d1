#include "runtime/kernels/internal/space_batch.h"

namespace tern {
namespace {

// The geometry of one SpaceBatch call, shared by its validation, shape and copy phases.
struct SpaceBatchLayout {
  bool to_batch = true;
  std::vector<int64_t> block, pads;  // pads: (start, end) per spatial dim
  int m = 0;                         // spatial dims
  int64_t block_size = 1;            // product of block
  int64_t rest = 1;                  // elements per spatial position
  int64_t space_batch = 0;
  std::vector<int64_t> padded;         // spatial dims of the padded space side
  std::vector<int64_t> batch_spatial;  // spatial dims of the batch side
};

Status ReadBlockAndPads(const KernelContext& ctx, const char* pads_name, SpaceBatchLayout* l) {
  const Tensor& input = ctx.input(0);
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "block_shape", &l->block));
  TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, ctx.input(2), pads_name, &l->pads));
  const int m = l->m = static_cast<int>(l->block.size());
  if (ctx.input(2).shape() != TensorShape{m, 2}) {
    return ctx.Error(std::string(pads_name) + " must have shape [" + std::to_string(m) +
                     ",2], got " + ctx.input(2).shape().DebugString());
  }
  if (input.rank() < 1 + m) {
    return ctx.Error("input of shape " + input.shape().DebugString() + " has fewer than " +
                     std::to_string(1 + m) + " dimensions (batch and " + std::to_string(m) +
                     " spatial)");
  }
  const std::vector<int64_t>& block = l->block;
  const std::vector<int64_t>& pads = l->pads;
  for (int i = 0; i < m; ++i) {
    if (block[i] < 1) {
      return ctx.Error("block_shape must be positive, got " + TensorShape(block).DebugString());
    }
    if (pads[2 * i] < 0 || pads[2 * i + 1] < 0) {
      return ctx.Error(std::string(pads_name) + " must be non-negative, got " +
                       std::to_string(pads[2 * i]) + ", " + std::to_string(pads[2 * i + 1]));
    }
    l->block_size *= block[i];
  }
  for (int d = 1 + m; d < input.rank(); ++d) l->rest *= input.dim(d);
  return Status::Ok();
}

// Shapes of the space side (padded) and the batch side.
Status SideShapes(const KernelContext& ctx, SpaceBatchLayout* l) {
  const Tensor& input = ctx.input(0);
  const std::vector<int64_t>& block = l->block;
  const std::vector<int64_t>& pads = l->pads;
  l->padded.resize(l->m);
  l->batch_spatial.resize(l->m);
  if (l->to_batch) {
    l->space_batch = input.dim(0);
    for (int i = 0; i < l->m; ++i) {
      l->padded[i] = input.dim(1 + i) + pads[2 * i] + pads[2 * i + 1];
      if (l->padded[i] % block[i] != 0) {
        return ctx.Error("padded spatial dimension " + std::to_string(i) + " (" +
                         std::to_string(l->padded[i]) + ") is not divisible by block size " +
                         std::to_string(block[i]));
      }
      l->batch_spatial[i] = l->padded[i] / block[i];
    }
    return Status::Ok();
  }
  if (input.dim(0) % l->block_size != 0) {
    return ctx.Error("input batch " + std::to_string(input.dim(0)) +
                     " is not divisible by the product of block_shape " +
                     std::to_string(l->block_size));
  }
  l->space_batch = input.dim(0) / l->block_size;
  for (int i = 0; i < l->m; ++i) {
    l->batch_spatial[i] = input.dim(1 + i);
    l->padded[i] = l->batch_spatial[i] * block[i];
    if (pads[2 * i] + pads[2 * i + 1] > l->padded[i]) {
      return ctx.Error("crops for dimension " + std::to_string(i) + " exceed its size " +
                       std::to_string(l->padded[i]));
    }
  }
  return Status::Ok();
}

std::vector<int64_t> OutputDims(const Tensor& input, const SpaceBatchLayout& l) {
  std::vector<int64_t> out_dims;
  if (l.to_batch) {
    out_dims.push_back(l.space_batch * l.block_size);
    for (int i = 0; i < l.m; ++i) out_dims.push_back(l.batch_spatial[i]);
  } else {
    out_dims.push_back(l.space_batch);
    for (int i = 0; i < l.m; ++i) {
      out_dims.push_back(l.padded[i] - l.pads[2 * i] - l.pads[2 * i + 1]);
    }
  }
  for (int d = 1 + l.m; d < input.rank(); ++d) out_dims.push_back(input.dim(d));
  return out_dims;
}

// Walks the batch-side positions (offset, n, o_1..o_M) and maps each to the space side;
// `space_dims` are the (unpadded) space side's [batch, s_1..s_M].
template <typename T>
void CopyBlocks(const SpaceBatchLayout& l, const std::vector<int64_t>& space_dims, const T* in,
                T* o) {
  const int m = l.m;
  const std::vector<int64_t>& block = l.block;
  const std::vector<int64_t>& pads = l.pads;
  const std::vector<int64_t>& batch_spatial = l.batch_spatial;
  const bool to_batch = l.to_batch;
  const int64_t rest = l.rest;
  const std::vector<int64_t> space_strides = RowMajorStrides(space_dims);
  int64_t rows = 1;  // spatial positions per batch-side image
  for (int i = 0; i < m; ++i) rows *= batch_spatial[i];
  std::vector<int64_t> offset(m, 0), pos(m, 0);
  int64_t batch_row = 0;  // flat (batch, o_1..o_M) position on the batch side
  for (int64_t off = 0; off < l.block_size; ++off) {
    for (int64_t n = 0; n < l.space_batch; ++n) {
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
}

}  // namespace

Status SpaceBatchToOutput(KernelContext& ctx, SpaceBatchDirection direction) {
  SpaceBatchLayout l;
  l.to_batch = direction == SpaceBatchDirection::kSpaceToBatch;
  const Tensor& input = ctx.input(0);
  TERN_RETURN_IF_ERROR(ReadBlockAndPads(ctx, l.to_batch ? "paddings" : "crops", &l));
  TERN_RETURN_IF_ERROR(SideShapes(ctx, &l));
  const std::vector<int64_t> out_dims = OutputDims(input, l);
  return DispatchByElementSize(
      input.dtype(), "input",
      [&]<typename T>() -> Status {
        TERN_ASSIGN_OR_RETURN(Tensor * out,
                              ctx.AllocateOutput(0, input.dtype(), TensorShape(out_dims)));
        if (out->num_elements() == 0) return Status::Ok();
        std::vector<int64_t> space_dims = {l.space_batch};
        for (int i = 0; i < l.m; ++i) {
          space_dims.push_back(l.to_batch ? input.dim(1 + i) : out_dims[1 + i]);
        }
        CopyBlocks(l, space_dims, input.flat<T>(), out->flat<T>());
        return Status::Ok();
      },
      ctx);
}

}  // namespace tern
