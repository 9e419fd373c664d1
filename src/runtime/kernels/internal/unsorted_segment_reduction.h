// Shared by UnsortedSegmentSum, UnsortedSegmentProd, UnsortedSegmentMax and UnsortedSegmentMin:
// out[s, ...] = reduction of data[i..., ...] over the i with segment_ids[i...] == s, for
// segment_ids of any shape that prefixes data's. num_segments rows; a segment nothing maps to
// keeps the reduction's identity (0, 1, or the dtype's lowest/highest finite value, as
// TensorFlow); negative ids are dropped, ids >= num_segments are an error. Real numeric dtypes;
// int32/int64 ids. Stateless.
#pragma once

#include <limits>
#include <vector>

#include "runtime/kernels/internal/common.h"

namespace tern {

// Reducer: static T Identity(); static T Combine(T acc, T x).
template <template <typename> class Reducer>
Status UnsortedSegmentReduce(KernelContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Tensor& ids_tensor = ctx.input(1);
  std::vector<int64_t> ids;
  TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, ids_tensor, "segment_ids", &ids));
  int64_t num_segments = 0;
  TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(2), "num_segments", &num_segments));
  if (num_segments < 0) {
    return ctx.Error("num_segments must be non-negative, got " + std::to_string(num_segments));
  }
  const int ids_rank = ids_tensor.rank();
  bool prefix = ids_rank <= data.rank();
  for (int i = 0; prefix && i < ids_rank; ++i) prefix = ids_tensor.dim(i) == data.dim(i);
  if (!prefix) {
    return ctx.Error("segment_ids.shape = " + ids_tensor.shape().DebugString() +
                     " does not prefix data.shape = " + data.shape().DebugString());
  }
  std::vector<int64_t> dims = {num_segments};
  int64_t row_size = 1;
  for (int i = ids_rank; i < data.rank(); ++i) {
    dims.push_back(data.dim(i));
    row_size *= data.dim(i);
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] >= num_segments) {
      return ctx.Error("segment_ids[" + std::to_string(i) + "] = " + std::to_string(ids[i]) +
                       " is out of range [0, " + std::to_string(num_segments) + ")");
    }
  }
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, data.dtype(), TensorShape(dims)));
  return DispatchRealNumber(
      data.dtype(), "data",
      [&]<typename T>() -> Status {
        using R = Reducer<T>;
        T* o = out->flat<T>();
        for (int64_t i = 0, n = out->num_elements(); i < n; ++i) o[i] = R::Identity();
        const T* in = data.flat<T>();
        for (size_t i = 0; i < ids.size(); ++i) {
          if (ids[i] < 0) continue;
          T* dst = o + ids[i] * row_size;
          const T* src = in + static_cast<int64_t>(i) * row_size;
          for (int64_t j = 0; j < row_size; ++j) dst[j] = R::Combine(dst[j], src[j]);
        }
        return Status::Ok();
      },
      ctx);
}

}  // namespace tern
