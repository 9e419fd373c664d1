// StringJoin: joins N string tensors element-wise with `separator`. Scalars are repeated; every
// non-scalar input must have the same shape (TensorFlow does not broadcast here).
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class StringJoinKernel final : public OpKernel {
 public:
  explicit StringJoinKernel(std::string separator) : separator_(std::move(separator)) {}

  Status Compute(KernelContext& ctx) const override {
    TensorShape shape;
    bool have_shape = false;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() != tensorflow::DT_STRING) {
        return ctx.Error("input " + std::to_string(i) + " must be string, got " +
                         DataTypeName(t.dtype()));
      }
      if (t.rank() == 0) continue;
      if (!have_shape) {
        shape = t.shape();
        have_shape = true;
      } else if (t.shape() != shape) {
        return ctx.Error("Input shapes do not match: " + shape.DebugString() + " vs. " +
                         t.shape().DebugString());
      }
    }
    Tensor out(tensorflow::DT_STRING, shape);
    std::string* o = out.flat<std::string>();
    for (int64_t e = 0, n = out.num_elements(); e < n; ++e) {
      std::string s;
      for (int i = 0; i < ctx.num_inputs(); ++i) {
        if (i > 0) s += separator_;
        const Tensor& t = ctx.input(i);
        s += t.flat<std::string>()[t.rank() == 0 ? 0 : e];
      }
      o[e] = std::move(s);
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  const std::string separator_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStringJoinKernel(const KernelConstruction& c) {
  return std::unique_ptr<OpKernel>(new StringJoinKernel(c.GetStringAttrOr("separator", "")));
}

}  // namespace tern
