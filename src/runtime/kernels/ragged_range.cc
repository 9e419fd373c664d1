// RaggedRange: one row per (start, limit, delta) triple, each the range(start, limit, delta);
// scalars broadcast against vectors. Outputs the row splits (attr Tsplits, int64 by default)
// and the concatenated values. A delta of 0 is an error. int32, int64, float, double.
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class RaggedRangeKernel final : public OpKernel {
 public:
  explicit RaggedRangeKernel(DataType splits_type) : splits_type_(splits_type) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* in[3] = {&ctx.input(0), &ctx.input(1), &ctx.input(2)};
    const char* names[3] = {"starts", "limits", "deltas"};
    int64_t rows = 1;
    bool any_vector = false;
    for (int i = 0; i < 3; ++i) {
      if (in[i]->rank() > 1) {
        return ctx.Error(std::string(names[i]) + " must be a scalar or vector, got " +
                         in[i]->shape().DebugString());
      }
      if (in[i]->dtype() != in[0]->dtype()) {
        return ctx.Error("starts, limits and deltas must have one dtype");
      }
      if (in[i]->rank() == 1) {
        if (any_vector && in[i]->dim(0) != rows) {
          return ctx.Error("starts, limits, and deltas must have the same shape");
        }
        rows = in[i]->dim(0);
        any_vector = true;
      }
    }
    auto run = [&]<typename T>() -> Status {
      auto at = [&](int which, int64_t row) {
        return in[which]->flat<T>()[in[which]->rank() == 0 ? 0 : row];
      };
      std::vector<int64_t> splits = {0};
      for (int64_t r = 0; r < rows; ++r) {
        const T start = at(0, r), limit = at(1, r), delta = at(2, r);
        if (delta == T(0)) return ctx.Error("Requires delta != 0");
        int64_t size = 0;
        if ((delta > 0 && limit > start) || (delta < 0 && limit < start)) {
          if constexpr (std::is_integral_v<T>) {
            const int64_t span = static_cast<int64_t>(limit) - static_cast<int64_t>(start);
            const int64_t d = static_cast<int64_t>(delta);
            size = (span + d + (d > 0 ? -1 : 1)) / d;
          } else {
            size = static_cast<int64_t>(std::ceil(std::abs((limit - start) / delta)));
          }
        }
        splits.push_back(splits.back() + size);
      }
      TERN_ASSIGN_OR_RETURN(Tensor * values,
                            ctx.AllocateOutput(1, in[0]->dtype(), TensorShape({splits.back()})));
      T* v = values->flat<T>();
      for (int64_t r = 0; r < rows; ++r) {
        T x = at(0, r);
        for (int64_t k = splits[r]; k < splits[r + 1]; ++k, x += at(2, r)) v[k] = x;
      }
      TERN_ASSIGN_OR_RETURN(
          Tensor * out_splits,
          ctx.AllocateOutput(0, splits_type_, TensorShape({static_cast<int64_t>(splits.size())})));
      for (size_t i = 0; i < splits.size(); ++i) {
        if (splits_type_ == tensorflow::DT_INT32) {
          out_splits->flat<int32_t>()[i] = static_cast<int32_t>(splits[i]);
        } else {
          out_splits->flat<int64_t>()[i] = splits[i];
        }
      }
      return Status::Ok();
    };
    switch (in[0]->dtype()) {
      case tensorflow::DT_INT32: return run.template operator()<int32_t>();
      case tensorflow::DT_INT64: return run.template operator()<int64_t>();
      case tensorflow::DT_FLOAT: return run.template operator()<float>();
      case tensorflow::DT_DOUBLE: return run.template operator()<double>();
      default:
        return ctx.Error("dtype " + DataTypeName(in[0]->dtype()) +
                         " is not supported (int32, int64, float, double)");
    }
  }

 private:
  const DataType splits_type_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRaggedRangeKernel(const KernelConstruction& c) {
  DataType splits = tensorflow::DT_INT64;
  if (c.HasAttr("Tsplits")) {
    TERN_ASSIGN_OR_RETURN(splits, c.GetTypeAttr("Tsplits"));
  }
  if (splits != tensorflow::DT_INT32 && splits != tensorflow::DT_INT64) {
    return c.Error("Tsplits must be int32 or int64, got " + DataTypeName(splits));
  }
  return std::unique_ptr<OpKernel>(new RaggedRangeKernel(splits));
}

}  // namespace tern
