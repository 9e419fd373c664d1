// TopKV2: the k largest entries of each innermost row and their indices, largest first; equal
// values keep their input order (the lower index first), as TensorFlow's stable comparison
// orders them. k is a scalar (int32, or int16/int64 where the Tk attr allows it); indices are
// int32 unless index_type says int64. `sorted=false` lets TensorFlow return the k entries in any
// order; this kernel returns them sorted, one of the orders allowed. Real numeric dtypes.
// TensorFlow's comparison is no strict weak order with NaN, so its result there depends on its
// algorithm; this kernel ranks NaN above every number (TensorFlow does for a lone NaN).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class TopKV2Kernel final : public OpKernel {
 public:
  explicit TopKV2Kernel(DataType index_type) : index_type_(index_type) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& k_tensor = ctx.input(1);
    if (k_tensor.rank() != 0) {
      return ctx.Error("k must be 0-D, got shape " + k_tensor.shape().DebugString());
    }
    int64_t k = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, k_tensor, "k", &k));
    if (k < 0) return ctx.Error("Need k >= 0, got " + std::to_string(k));
    if (x.rank() < 1) {
      return ctx.Error("input must be >= 1-D, got shape " + x.shape().DebugString());
    }
    const int64_t cols = x.dim(x.rank() - 1);
    if (cols < k) {
      return ctx.Error("input must have at least k columns. Had " + std::to_string(cols) +
                       ", needed " + std::to_string(k));
    }
    std::vector<int64_t> out_dims = x.shape().dim_vector();
    out_dims.back() = k;
    const int64_t rows = cols == 0 ? 0 : x.num_elements() / cols;
    return DispatchRealNumber(
        x.dtype(), "input",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(Tensor * values,
                                ctx.AllocateOutput(0, x.dtype(), TensorShape(out_dims)));
          TERN_ASSIGN_OR_RETURN(Tensor * indices,
                                ctx.AllocateOutput(1, index_type_, TensorShape(out_dims)));
          if (k == 0) return Status::Ok();
          std::vector<int64_t> order(cols);
          for (int64_t r = 0; r < rows; ++r) {
            const T* row = x.flat<T>() + r * cols;
            std::iota(order.begin(), order.end(), int64_t{0});
            // Larger first; among equal values, the lower index first.
            auto before = [row](int64_t a, int64_t b) {
              if constexpr (std::is_floating_point_v<T>) {
                const bool nan_a = std::isnan(row[a]), nan_b = std::isnan(row[b]);
                if (nan_a != nan_b) return nan_a;
                if (nan_a) return a < b;
              }
              if (row[a] != row[b]) return row[a] > row[b];
              return a < b;
            };
            std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
            T* v = values->flat<T>() + r * k;
            for (int64_t j = 0; j < k; ++j) {
              v[j] = row[order[j]];
              if (index_type_ == tensorflow::DT_INT64) {
                indices->flat<int64_t>()[r * k + j] = order[j];
              } else {
                indices->flat<int32_t>()[r * k + j] = static_cast<int32_t>(order[j]);
              }
            }
          }
          return Status::Ok();
        },
        ctx);
  }

 private:
  const DataType index_type_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTopKV2Kernel(const KernelConstruction& c) {
  DataType index_type = tensorflow::DT_INT32;  // the OpDef default, stripped from exports
  if (c.HasAttr("index_type")) {
    TERN_ASSIGN_OR_RETURN(index_type, c.GetTypeAttr("index_type"));
  }
  if (index_type != tensorflow::DT_INT32 && index_type != tensorflow::DT_INT64) {
    return c.Error("index_type must be int32 or int64, got " + DataTypeName(index_type));
  }
  return std::unique_ptr<OpKernel>(new TopKV2Kernel(index_type));
}

}  // namespace tern
