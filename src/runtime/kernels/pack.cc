// Pack: stacks N tensors of one shape into a tensor of rank + 1, the new dimension (size N) at
// `axis` (default 0; negative counts from the end of the output's dims). Any dtype.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class PackKernel final : public OpKernel {
 public:
  explicit PackKernel(int64_t axis) : axis_(axis) {}

  Status Compute(KernelContext& ctx) const override {
    const int n = ctx.num_inputs();
    if (n < 1) return ctx.Error("expected at least one value");
    const Tensor& first = ctx.input(0);
    const int rank = first.rank();
    if (axis_ < -(rank + 1) || axis_ > rank) {
      return ctx.Error("axis " + std::to_string(axis_) + " is out of range [" +
                       std::to_string(-(rank + 1)) + ", " + std::to_string(rank) +
                       "] for values of shape " + first.shape().DebugString());
    }
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + rank + 1 : axis_);
    for (int i = 1; i < n; ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() != first.dtype() || t.shape() != first.shape()) {
        return ctx.Error("values[" + std::to_string(i) + "] is " + t.DebugString() +
                         " but values[0] is " + first.DebugString() +
                         "; all values must have the same dtype and shape");
      }
    }
    std::vector<int64_t> dims = first.shape().dim_vector();
    dims.insert(dims.begin() + axis, n);
    if (n == 1) {
      ctx.set_output(0, first.WithShape(TensorShape(std::move(dims))));
      return Status::Ok();
    }
    int64_t outer = 1;
    for (int d = 0; d < axis; ++d) outer *= first.dim(d);
    const int64_t inner = outer == 0 ? 0 : first.num_elements() / outer;
    return DispatchByElementSize(
        first.dtype(), "values",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(Tensor * out,
                                ctx.AllocateOutput(0, first.dtype(), TensorShape(dims)));
          T* o = out->flat<T>();
          for (int64_t r = 0; r < outer; ++r) {
            for (int i = 0; i < n; ++i) {
              CopyElements(ctx.input(i).flat<T>() + r * inner, inner, o);
              o += inner;
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

StatusOr<std::unique_ptr<OpKernel>> CreatePackKernel(const KernelConstruction& c) {
  int64_t axis = 0;  // the OpDef default, stripped from exports
  if (c.HasAttr("axis")) {
    TERN_ASSIGN_OR_RETURN(axis, c.GetIntAttr("axis"));
  }
  return std::unique_ptr<OpKernel>(new PackKernel(axis));
}

}  // namespace tern
