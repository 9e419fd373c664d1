// LeakyRelu: x for x > 0, alpha * x otherwise, elementwise (attr alpha, default 0.2; a float
// attr, widened for double inputs as TensorFlow does). float, double, half and bfloat16: on the
// narrow types TensorFlow rounds alpha to the narrow type first, and so does this.
#include "runtime/kernels/internal/narrow_float.h"
#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class LeakyReluKernel final : public OpKernel {
 public:
  explicit LeakyReluKernel(float alpha) : alpha_(alpha) {}

  Status Compute(KernelContext& ctx) const override {
    const float alpha = alpha_;
    if (IsNarrowFloat(ctx.input(0).dtype())) {
      return UnaryNarrow(
          ctx, [alpha]<typename N>(float x) { return x > 0.0f ? x : x * RoundThrough<N>(alpha); });
    }
    return UnaryFloat(
        ctx, [alpha]<typename T>(T x) -> T { return x > T(0) ? x : x * static_cast<T>(alpha); });
  }

 private:
  const float alpha_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateLeakyReluKernel(const KernelConstruction& c) {
  float alpha = 0.2f;  // the OpDef default, stripped from exports
  if (c.HasAttr("alpha")) {
    TERN_ASSIGN_OR_RETURN(alpha, c.GetFloatAttr("alpha"));
  }
  return std::unique_ptr<OpKernel>(new LeakyReluKernel(alpha));
}

}  // namespace tern
