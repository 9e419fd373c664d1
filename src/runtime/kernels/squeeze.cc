// Squeeze: drops size-1 dimensions: those in squeeze_dims (negative counts from the end; each
// must have size 1), or every size-1 dimension when squeeze_dims is empty (the default).
// Shares the input's buffer.
#include <set>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class SqueezeKernel final : public OpKernel {
 public:
  explicit SqueezeKernel(std::vector<int64_t> dims) : dims_(std::move(dims)) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int rank = x.rank();
    std::set<int64_t> drop;
    for (int64_t d : dims_) {
      if (d < -rank || d >= rank) {
        return ctx.Error("squeeze dimension " + std::to_string(d) + " is out of range for shape " +
                         x.shape().DebugString());
      }
      const int64_t k = d < 0 ? d + rank : d;
      if (x.dim(static_cast<int>(k)) != 1) {
        return ctx.Error("can not squeeze dim[" + std::to_string(k) +
                         "], expected a dimension of 1, got " +
                         std::to_string(x.dim(static_cast<int>(k))) + " (shape " +
                         x.shape().DebugString() + ")");
      }
      drop.insert(k);
    }
    std::vector<int64_t> out;
    for (int i = 0; i < rank; ++i) {
      const bool squeeze = dims_.empty() ? x.dim(i) == 1 : drop.count(i) > 0;
      if (!squeeze) out.push_back(x.dim(i));
    }
    ctx.set_output(0, x.WithShape(TensorShape(std::move(out))));
    return Status::Ok();
  }

 private:
  const std::vector<int64_t> dims_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSqueezeKernel(const KernelConstruction& c) {
  std::vector<int64_t> dims;  // default []: every size-1 dim
  if (c.HasAttr("squeeze_dims")) {
    TERN_ASSIGN_OR_RETURN(dims, c.GetIntListAttr("squeeze_dims"));
  }
  return std::unique_ptr<OpKernel>(new SqueezeKernel(std::move(dims)));
}

}  // namespace tern
