// Unpack: `value` cut into its `num` slices along `axis` (attr, default 0; negative counts
// from the end), each without that dimension.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class UnpackKernel final : public OpKernel {
 public:
  explicit UnpackKernel(int64_t axis) : axis_(axis) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& value = ctx.input(0);
    int axis = 0;
    TERN_RETURN_IF_ERROR(ResolveAxis(ctx, axis_, value, "value", &axis));
    const int64_t n = value.dim(axis);
    if (n != ctx.num_outputs()) {
      return ctx.Error("value of shape " + value.shape().DebugString() + " has " +
                       std::to_string(n) + " slices along axis " + std::to_string(axis) +
                       " but num is " + std::to_string(ctx.num_outputs()));
    }
    std::vector<int64_t> dims = value.shape().dim_vector();
    dims.erase(dims.begin() + axis);
    int64_t outer = 1;
    for (int d = 0; d < axis; ++d) outer *= value.dim(d);
    int64_t inner = 1;
    for (int d = axis + 1; d < value.rank(); ++d) inner *= value.dim(d);
    return DispatchByElementSize(
        value.dtype(), "value",
        [&]<typename T>() -> Status {
          for (int64_t k = 0; k < n; ++k) {
            TERN_ASSIGN_OR_RETURN(
                Tensor * out,
                ctx.AllocateOutput(static_cast<int>(k), value.dtype(), TensorShape(dims)));
            T* o = out->flat<T>();
            for (int64_t r = 0; r < outer; ++r) {
              CopyElements(value.flat<T>() + (r * n + k) * inner, inner, o + r * inner);
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

StatusOr<std::unique_ptr<OpKernel>> CreateUnpackKernel(const KernelConstruction& c) {
  int64_t axis = 0;  // the OpDef default, stripped from exports
  if (c.HasAttr("axis")) {
    TERN_ASSIGN_OR_RETURN(axis, c.GetIntAttr("axis"));
  }
  return std::unique_ptr<OpKernel>(new UnpackKernel(axis));
}

}  // namespace tern
