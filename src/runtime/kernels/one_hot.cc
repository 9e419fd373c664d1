// OneHot: output[..., d, ...] = on_value if indices[...] == d else off_value, with the new depth
// dimension at `axis` (default -1: last). Indices outside [0, depth) give an all-off row.
// indices: uint8, int8, int32 or int64; depth: int32 scalar; on/off: scalars of any dtype.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class OneHotKernel final : public OpKernel {
 public:
  explicit OneHotKernel(int64_t axis) : axis_(axis) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& indices = ctx.input(0);
    const Tensor& depth_t = ctx.input(1);
    const Tensor& on = ctx.input(2);
    const Tensor& off = ctx.input(3);
    if (depth_t.rank() != 0) {
      return ctx.Error("depth must be a scalar, got shape " + depth_t.shape().DebugString());
    }
    int64_t depth = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, depth_t, "depth", &depth));
    if (depth < 0) return ctx.Error("depth must be non-negative, got " + std::to_string(depth));
    if (on.rank() != 0 || off.rank() != 0) {
      return ctx.Error("on_value and off_value must be scalars, got shapes " +
                       on.shape().DebugString() + " and " + off.shape().DebugString());
    }
    if (on.dtype() != off.dtype()) {
      return ctx.Error("on_value and off_value have different dtypes: " + DataTypeName(on.dtype()) +
                       " and " + DataTypeName(off.dtype()));
    }
    const int rank = indices.rank();
    if (axis_ > rank) {
      return ctx.Error("axis " + std::to_string(axis_) + " is out of range for indices of shape " +
                       indices.shape().DebugString());
    }
    const int axis = axis_ == -1 ? rank : static_cast<int>(axis_);
    std::vector<int64_t> idx;
    switch (indices.dtype()) {
      case tensorflow::DT_UINT8:
        idx.assign(indices.flat<uint8_t>(), indices.flat<uint8_t>() + indices.num_elements());
        break;
      case tensorflow::DT_INT8:
        idx.assign(indices.flat<int8_t>(), indices.flat<int8_t>() + indices.num_elements());
        break;
      default: TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, indices, "indices", &idx));
    }
    std::vector<int64_t> dims = indices.shape().dim_vector();
    dims.insert(dims.begin() + axis, depth);
    int64_t prefix = 1;
    for (int d = 0; d < axis; ++d) prefix *= indices.dim(d);
    int64_t suffix = 1;
    for (int d = axis; d < rank; ++d) suffix *= indices.dim(d);
    return DispatchByElementSize(
        on.dtype(), "on_value",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, on.dtype(), TensorShape(dims)));
          T* o = out->flat<T>();
          const T on_v = on.flat<T>()[0];
          const T off_v = off.flat<T>()[0];
          const int64_t total = out->num_elements();
          for (int64_t i = 0; i < total; ++i) o[i] = off_v;
          for (int64_t p = 0; p < prefix; ++p) {
            for (int64_t s = 0; s < suffix; ++s) {
              const int64_t v = idx[p * suffix + s];
              if (v >= 0 && v < depth) o[(p * depth + v) * suffix + s] = on_v;
            }
          }
          return Status::Ok();
        },
        ctx);
  }

 private:
  const int64_t axis_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateOneHotKernel(const KernelConstruction& c) {
  int64_t axis = -1;  // the OpDef default, stripped from exports
  if (c.HasAttr("axis")) {
    TERN_ASSIGN_OR_RETURN(axis, c.GetIntAttr("axis"));
  }
  if (axis < -1) return c.Error("axis must be -1 or non-negative, got " + std::to_string(axis));
  return std::unique_ptr<OpKernel>(new OneHotKernel(axis));
}

}  // namespace tern
