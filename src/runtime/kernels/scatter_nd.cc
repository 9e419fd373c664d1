// ScatterNd: a zero tensor of shape `shape` with `updates` added at the slices `indices` picks
// (the innermost dimension of `indices` holds D coordinates into the first D dimensions of the
// output; updates.shape must be indices.shape[:-1] + shape[D:]). Repeated indices add up, in
// input order. Real numeric dtypes; indices int16/int32/int64. An index outside the shape is an
// error naming it (bad_indices_policy "IGNORE" skips it instead).
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class ScatterNdKernel final : public OpKernel {
 public:
  explicit ScatterNdKernel(bool ignore_bad_indices) : ignore_bad_indices_(ignore_bad_indices) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& indices = ctx.input(0);
    const Tensor& updates = ctx.input(1);
    std::vector<int64_t> dims;
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(2), "shape", &dims));
    for (int64_t d : dims) {
      if (d < 0) return ctx.Error("shape has a negative dimension: " + std::to_string(d));
    }
    const TensorShape shape(dims);
    if (indices.rank() < 1) {
      return ctx.Error("Indices shape must have rank at least one. Found:" +
                       indices.shape().DebugString());
    }
    const int depth = static_cast<int>(indices.dim(indices.rank() - 1));
    if (depth > shape.rank()) {
      return ctx.Error("indices.shape[-1] = " + std::to_string(depth) +
                       " is larger than the rank of shape " + shape.DebugString());
    }
    // updates.shape must be indices.shape[:-1] + shape[depth:].
    std::vector<int64_t> want(indices.shape().dims().begin(), indices.shape().dims().end() - 1);
    const int64_t tuples = TensorShape(want).num_elements();
    want.insert(want.end(), dims.begin() + depth, dims.end());
    if (!std::ranges::equal(updates.shape().dims(), want)) {
      return ctx.Error("updates must have shape indices.shape[:-1] + shape[" +
                       std::to_string(depth) + ":] = " + TensorShape(want).DebugString() +
                       " (indices " + indices.shape().DebugString() + ", shape " +
                       shape.DebugString() + "), got " + updates.shape().DebugString());
    }
    if (shape.num_elements() == 0 && indices.num_elements() > 0) {
      return ctx.Error("Indices and updates specified for empty output.  indices shape: " +
                       indices.shape().DebugString());
    }
    int64_t slice = 1;
    for (int d = depth; d < shape.rank(); ++d) slice *= dims[d];
    std::vector<int64_t> idx;
    TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, indices, "indices", &idx));
    const std::vector<int64_t> strides = RowMajorStrides(dims);
    // Output offset of each tuple's slice, or -1 for one skipped; checked before writing.
    std::vector<int64_t> offsets(tuples);
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t offset = 0;
      for (int d = 0; d < depth && offset >= 0; ++d) {
        const int64_t i = idx[t * depth + d];
        if (i >= 0 && i < dims[d]) {
          offset += i * strides[d];
          continue;
        }
        if (ignore_bad_indices_) {
          offset = -1;
          break;
        }
        std::string tuple;
        for (int e = 0; e < depth; ++e) {
          tuple += (e ? "," : "") + std::to_string(idx[t * depth + e]);
        }
        return ctx.Error("indices[" + std::to_string(t) + "] = [" + tuple +
                         "] does not index into shape " + shape.DebugString());
      }
      offsets[t] = offset;
    }
    return DispatchRealNumber(
        updates.dtype(), "updates",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, updates.dtype(), shape));
          const T* u = updates.flat<T>();
          T* o = out->flat<T>();
          for (int64_t t = 0; t < tuples; ++t) {
            if (offsets[t] < 0) continue;
            T* dst = o + offsets[t];
            const T* src = u + t * slice;
            for (int64_t j = 0; j < slice; ++j) dst[j] = WrappingAdd(dst[j], src[j]);
          }
          return Status::Ok();
        },
        ctx);
  }

 private:
  const bool ignore_bad_indices_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateScatterNdKernel(const KernelConstruction& c) {
  // bad_indices_policy (newer TensorFlow): "" and "DEFAULT" mean ERROR on CPU.
  const std::string policy = c.GetStringAttrOr("bad_indices_policy", "");
  if (policy != "" && policy != "DEFAULT" && policy != "ERROR" && policy != "IGNORE") {
    return c.Error("bad_indices_policy must be DEFAULT, ERROR or IGNORE, got '" + policy + "'");
  }
  return std::unique_ptr<OpKernel>(new ScatterNdKernel(policy == "IGNORE"));
}

}  // namespace tern
