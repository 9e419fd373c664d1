// Gather along one axis with leading batch dimensions, shared by GatherV2 and ResourceGather.
// Header-only and stateless; thread-safe.
//   out[b..., o..., i..., n...] = params[b..., o..., indices[b..., i...], n...]
// where b are the first batch_dims dimensions (equal in params and indices), o the params
// dimensions between them and axis, i the remaining indices dimensions, n those after axis.
#pragma once

#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"

namespace tern {

// Formats flat position `pos` of a tensor of `shape` as "1,0" (TensorFlow's index notation).
inline std::string FormatMultiIndex(int64_t pos, const TensorShape& shape) {
  std::vector<int64_t> idx(static_cast<size_t>(shape.rank()));
  for (int d = shape.rank() - 1; d >= 0; --d) {
    const int64_t size = shape.dim(d);
    idx[d] = size == 0 ? 0 : pos % size;
    pos = size == 0 ? 0 : pos / size;
  }
  std::string s;
  for (size_t d = 0; d < idx.size(); ++d) s += (d ? "," : "") + std::to_string(idx[d]);
  return s;
}

// Validates axis and batch_dims (both already made non-negative by the caller, who reports
// their own range errors) and writes the gathered tensor to output 0.
inline Status GatherToOutput(KernelContext& ctx, const Tensor& params, const Tensor& indices,
                             int axis, int batch_dims) {
  if (params.rank() < 1) {
    return ctx.Error("params must be at least 1-D, got shape " + params.shape().DebugString());
  }
  if (batch_dims > indices.rank()) {
    return ctx.Error("batch_dims " + std::to_string(batch_dims) + " exceeds the rank of indices " +
                     indices.shape().DebugString());
  }
  if (batch_dims >= params.rank() && batch_dims > 0) {
    return ctx.Error("batch_dims " + std::to_string(batch_dims) +
                     " must be less than the rank of params " + params.shape().DebugString());
  }
  if (axis < batch_dims) {
    return ctx.Error("axis " + std::to_string(axis) + " must be >= batch_dims " +
                     std::to_string(batch_dims));
  }
  for (int d = 0; d < batch_dims; ++d) {
    if (params.dim(d) != indices.dim(d)) {
      return ctx.Error("params" + params.shape().DebugString() + " and indices" +
                       indices.shape().DebugString() + " differ in batch dimension " +
                       std::to_string(d));
    }
  }
  std::vector<int64_t> idx;
  TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, indices, "indices", &idx));
  const int64_t limit = params.dim(axis);
  for (size_t k = 0; k < idx.size(); ++k) {
    if (idx[k] < 0 || idx[k] >= limit) {
      return ctx.Error("indices[" + FormatMultiIndex(static_cast<int64_t>(k), indices.shape()) +
                       "] = " + std::to_string(idx[k]) + " is not in [0, " + std::to_string(limit) +
                       ")");
    }
  }
  int64_t batch = 1, outer = 1, inner = 1, per_batch = 1;
  std::vector<int64_t> dims;
  for (int d = 0; d < batch_dims; ++d) {
    batch *= params.dim(d);
    dims.push_back(params.dim(d));
  }
  for (int d = batch_dims; d < axis; ++d) {
    outer *= params.dim(d);
    dims.push_back(params.dim(d));
  }
  for (int d = batch_dims; d < indices.rank(); ++d) {
    per_batch *= indices.dim(d);
    dims.push_back(indices.dim(d));
  }
  for (int d = axis + 1; d < params.rank(); ++d) {
    inner *= params.dim(d);
    dims.push_back(params.dim(d));
  }
  return DispatchByElementSize(
      params.dtype(), "params",
      [&]<typename T>() -> Status {
        TERN_ASSIGN_OR_RETURN(Tensor * out,
                              ctx.AllocateOutput(0, params.dtype(), TensorShape(dims)));
        const T* p = params.flat<T>();
        T* o = out->flat<T>();
        for (int64_t b = 0; b < batch; ++b) {
          const int64_t* ib = idx.data() + b * per_batch;
          for (int64_t r = 0; r < outer; ++r) {
            const T* src = p + (b * outer + r) * limit * inner;
            for (int64_t i = 0; i < per_batch; ++i, o += inner) {
              CopyElements(src + ib[i] * inner, inner, o);
            }
          }
        }
        return Status::Ok();
      },
      ctx);
}

}  // namespace tern
