// Shared by SparseSegmentSum, SparseSegmentMean and SparseSegmentSqrtN: out[s] = reduction of
// data[indices[k]] over the k with segment_ids[k] == s. segment_ids must be sorted; the output
// has max(segment_ids)+1 rows (0 when empty); rows of empty segments are 0. Mean divides by the
// segment's size, SqrtN by its square root
// (as a multiplication by the reciprocal, as TensorFlow does). float and double data; int32/int64
// ids. Stateless.
#pragma once

#include <cmath>

#include "runtime/kernels/internal/common.h"

namespace tern {

enum class SegmentReduction { kSum, kMean, kSqrtN };

template <SegmentReduction kMode>
class SparseSegmentReductionKernel final : public OpKernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    std::vector<int64_t> indices, segments;
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "indices", &indices));
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(2), "segment_ids", &segments));
    if (indices.size() != segments.size()) {
      return ctx.Error("segment_ids and indices should have same size, got " +
                       std::to_string(segments.size()) + " and " + std::to_string(indices.size()));
    }
    if (data.rank() < 1) return ctx.Error("data must be at least 1-D, got a scalar");
    const int64_t rows_in = data.dim(0);
    const int64_t row_size = rows_in == 0 ? 0 : data.num_elements() / rows_in;
    for (size_t k = 0; k < segments.size(); ++k) {
      if (indices[k] < 0 || indices[k] >= rows_in) {
        return ctx.Error("Index " + std::to_string(indices[k]) + " out of range [0, " +
                         std::to_string(rows_in) + ")");
      }
      if (segments[k] < 0 || (k > 0 && segments[k] < segments[k - 1])) {
        return ctx.Error("segment ids are not increasing or are negative at position " +
                         std::to_string(k));
      }
    }
    const int64_t num_segments = segments.empty() ? 0 : segments.back() + 1;
    std::vector<int64_t> dims = data.shape().dim_vector();
    dims[0] = num_segments;
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, data.dtype(), TensorShape(dims)));
    auto reduce = [&]<typename T>() -> Status {
      const T* in = data.flat<T>();
      T* o = out->flat<T>();
      size_t k = 0;
      while (k < segments.size()) {
        const int64_t seg = segments[k];
        T* dst = o + seg * row_size;
        int64_t count = 0;
        for (; k < segments.size() && segments[k] == seg; ++k, ++count) {
          const T* src = in + indices[k] * row_size;
          for (int64_t j = 0; j < row_size; ++j) dst[j] += src[j];
        }
        if constexpr (kMode != SegmentReduction::kSum) {
          const T divisor = kMode == SegmentReduction::kMean ? static_cast<T>(count)
                                                             : std::sqrt(static_cast<T>(count));
          const T scale = T(1) / divisor;  // TF multiplies by the reciprocal (not bit-equal to /)
          for (int64_t j = 0; j < row_size; ++j) dst[j] *= scale;
        }
      }
      return Status::Ok();
    };
    switch (data.dtype()) {
      case tensorflow::DT_FLOAT: return reduce.template operator()<float>();
      case tensorflow::DT_DOUBLE: return reduce.template operator()<double>();
      default: return ctx.Error("data must be float or double, got " + DataTypeName(data.dtype()));
    }
  }
};

}  // namespace tern
