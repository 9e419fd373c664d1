// Unique: the distinct values of a 1-D tensor in order of first occurrence (y) and, for each
// input element, the position of its value in y (idx, out_idx: int32 by default or int64).
#include <unordered_map>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class UniqueKernel final : public OpKernel {
 public:
  explicit UniqueKernel(DataType out_idx) : out_idx_(out_idx) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 1) return ctx.Error("x must be 1-D, got shape " + x.shape().DebugString());
    const int64_t n = x.num_elements();
    std::vector<int64_t> idx(n), firsts;
    // Elements are compared by their bytes (by value for strings): the same as equality for
    // integers and strings; for floats, -0.0 and 0.0 or NaNs may differ from TF.
    TERN_RETURN_IF_ERROR(DispatchByElementSize(
        x.dtype(), "x",
        [&]<typename T>() -> Status {
          if constexpr (std::is_same_v<T, Bytes16>) {
            return ctx.Error("complex values are not supported");
          } else {
            std::unordered_map<T, int64_t> seen;
            const T* v = x.flat<T>();
            for (int64_t i = 0; i < n; ++i) {
              auto [it, inserted] = seen.try_emplace(v[i], static_cast<int64_t>(firsts.size()));
              if (inserted) firsts.push_back(i);
              idx[i] = it->second;
            }
            Tensor y(x.dtype(), TensorShape{static_cast<int64_t>(firsts.size())});
            for (size_t k = 0; k < firsts.size(); ++k) y.flat<T>()[k] = v[firsts[k]];
            ctx.set_output(0, std::move(y));
            return Status::Ok();
          }
        },
        ctx));
    Tensor out(out_idx_, TensorShape{n});
    for (int64_t i = 0; i < n; ++i) {
      if (out_idx_ == tensorflow::DT_INT64)
        out.flat<int64_t>()[i] = idx[i];
      else
        out.flat<int32_t>()[i] = static_cast<int32_t>(idx[i]);
    }
    ctx.set_output(1, std::move(out));
    return Status::Ok();
  }

 private:
  const DataType out_idx_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateUniqueKernel(const KernelConstruction& c) {
  DataType out_idx = tensorflow::DT_INT32;
  if (c.HasAttr("out_idx")) {
    TERN_ASSIGN_OR_RETURN(out_idx, c.GetTypeAttr("out_idx"));
  }
  if (out_idx != tensorflow::DT_INT32 && out_idx != tensorflow::DT_INT64) {
    return c.Error("out_idx must be int32 or int64, got " + DataTypeName(out_idx));
  }
  return std::unique_ptr<OpKernel>(new UniqueKernel(out_idx));
}

}  // namespace tern
