// ArgMax and ArgMin: the index of the largest (smallest) element along one axis. Shared by
// arg_max.cc and arg_min.cc. Stateless; thread-safe.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"

namespace tern {

// Scans the way TensorFlow's (Eigen's) arg reducer does: it starts from index 0 holding the
// dtype's lowest value (highest for ArgMin) and takes an element only when it compares strictly
// better, so the first of equal values wins and NaN never wins (all-NaN rows give 0).
template <bool kMax>
class ArgReductionKernel final : public OpKernel {
 public:
  explicit ArgReductionKernel(DataType output_type) : output_type_(output_type) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& dimension = ctx.input(1);
    if (dimension.rank() != 0) {
      return ctx.Error("dim must be a scalar, but received tensor of shape: " +
                       dimension.shape().DebugString());
    }
    int64_t axis = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, dimension, "dimension", &axis));
    const int rank = x.rank();
    if (axis < -rank || axis >= rank) {
      return ctx.Error("Expected dimension in the range [" + std::to_string(-rank) + ", " +
                       std::to_string(rank) + "), but got " + std::to_string(axis));
    }
    if (axis < 0) axis += rank;
    const int a = static_cast<int>(axis);
    if (x.dim(a) == 0) {
      return ctx.Error("Reduction axis " + std::to_string(a) + " is empty in shape " +
                       x.shape().DebugString());
    }
    int64_t outer = 1, inner = 1;
    std::vector<int64_t> out_dims;
    for (int d = 0; d < rank; ++d) {
      if (d < a) outer *= x.dim(d);
      if (d > a) inner *= x.dim(d);
      if (d != a) out_dims.push_back(x.dim(d));
    }
    const int64_t len = x.dim(a);
    return DispatchRealNumber(
        x.dtype(), "input",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(Tensor * out,
                                ctx.AllocateOutput(0, output_type_, TensorShape(out_dims)));
          const T* in = x.flat<T>();
          for (int64_t o = 0; o < outer; ++o) {
            for (int64_t i = 0; i < inner; ++i) {
              const T* p = in + o * len * inner + i;
              int64_t best_index = 0;
              T best = kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
              for (int64_t k = 0; k < len; ++k) {
                const T v = p[k * inner];
                if (kMax ? v > best : v < best) {
                  best = v;
                  best_index = k;
                }
              }
              const int64_t at = o * inner + i;
              if (output_type_ == tensorflow::DT_INT32) {
                out->flat<int32_t>()[at] = static_cast<int32_t>(best_index);
              } else {
                out->flat<int64_t>()[at] = best_index;
              }
            }
          }
          return Status::Ok();
        },
        ctx);
  }

  // Reads output_type (int32 or int64; default int64, stripped from exports).
  static StatusOr<std::unique_ptr<OpKernel>> Create(const KernelConstruction& c) {
    DataType output_type = tensorflow::DT_INT64;
    if (c.HasAttr("output_type")) {
      TERN_ASSIGN_OR_RETURN(output_type, c.GetTypeAttr("output_type"));
    }
    if (output_type != tensorflow::DT_INT32 && output_type != tensorflow::DT_INT64) {
      return c.Error("output_type must be int32 or int64, got " + DataTypeName(output_type));
    }
    return std::unique_ptr<OpKernel>(new ArgReductionKernel(output_type));
  }

 private:
  const DataType output_type_;
};

}  // namespace tern
