// GatherNd: slices of `params` picked by index tuples: the innermost dimension of `indices`
// (int16/int32/int64) holds D coordinates into params' first D dimensions, and each tuple picks
// the slice params[i0, ..., iD-1, ...]. Output shape: indices.shape[:-1] + params.shape[D:].
// Any dtype. An index outside params is an error naming it, as in TensorFlow on CPU.
#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// "[1,0]": the position of tuple `flat` within `dims` (indices.shape[:-1]).
std::string TuplePosition(const std::vector<int64_t>& dims, int64_t flat) {
  std::vector<int64_t> pos(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    pos[d] = dims[d] == 0 ? 0 : flat % dims[d];
    flat = dims[d] == 0 ? 0 : flat / dims[d];
  }
  std::string s = "[";
  for (size_t d = 0; d < pos.size(); ++d) s += (d ? "," : "") + std::to_string(pos[d]);
  return s + "]";
}

Status ComputeGatherNd(KernelContext& ctx) {
  const Tensor& params = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  if (params.rank() < 1) return ctx.Error("params must be at least a vector");
  if (indices.rank() < 1) return ctx.Error("indices must be at least a vector");
  const int depth = static_cast<int>(indices.dim(indices.rank() - 1));
  if (depth > params.rank()) {
    return ctx.Error("index innermost dimension length must be <= params rank; saw: " +
                     std::to_string(depth) + " vs. " + std::to_string(params.rank()));
  }
  std::vector<int64_t> tuple_dims(indices.shape().dims().begin(), indices.shape().dims().end() - 1);
  int64_t tuples = 1;
  for (int64_t d : tuple_dims) tuples *= d;
  std::vector<int64_t> out_dims = tuple_dims;
  int64_t slice = 1;
  for (int d = depth; d < params.rank(); ++d) {
    out_dims.push_back(params.dim(d));
    slice *= params.dim(d);
  }
  if (tuples * slice > 0 && params.num_elements() == 0) {
    return ctx.Error("Requested more than 0 entries, but params is empty.  Params shape: " +
                     params.shape().DebugString());
  }
  std::vector<int64_t> idx;
  TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, indices, "indices", &idx));
  // Element offset of each tuple's slice, checked before anything is copied.
  std::vector<int64_t> offsets(tuples);
  const std::vector<int64_t> strides = RowMajorStrides(params.shape().dims());
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t offset = 0;
    for (int d = 0; d < depth; ++d) {
      const int64_t i = idx[t * depth + d];
      if (i < 0 || i >= params.dim(d)) {
        std::string tuple = "[";
        for (int e = 0; e < depth; ++e) {
          tuple += (e ? "," : "") + std::to_string(idx[t * depth + e]);
        }
        return ctx.Error("indices" + TuplePosition(tuple_dims, t) + " = " + tuple +
                         "] does not index into param shape " + params.shape().DebugString());
      }
      offset += i * strides[d];
    }
    offsets[t] = offset;
  }
  return DispatchByElementSize(
      params.dtype(), "params",
      [&]<typename T>() -> Status {
        TERN_ASSIGN_OR_RETURN(Tensor * out,
                              ctx.AllocateOutput(0, params.dtype(), TensorShape(out_dims)));
        const T* in = params.flat<T>();
        T* o = out->flat<T>();
        for (int64_t t = 0; t < tuples; ++t) CopyElements(in + offsets[t], slice, o + t * slice);
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateGatherNdKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeGatherNd>::Create(c);
}

}  // namespace tern
