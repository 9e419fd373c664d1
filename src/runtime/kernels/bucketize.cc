// Bucketize: the index of the bucket each value falls in, given sorted float boundaries. A value
// equal to a boundary goes to the upper bucket (upper_bound). Output int32, same shape.
#include <algorithm>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class BucketizeKernel final : public OpKernel {
 public:
  explicit BucketizeKernel(std::vector<float> boundaries) : boundaries_(std::move(boundaries)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    switch (input.dtype()) {
      case tensorflow::DT_FLOAT: return Run<float>(ctx);
      case tensorflow::DT_DOUBLE: return Run<double>(ctx);
      case tensorflow::DT_INT32: return Run<int32_t>(ctx);
      case tensorflow::DT_INT64: return Run<int64_t>(ctx);
      default:
        return ctx.Error("input must be float, double, int32 or int64, got " +
                         DataTypeName(input.dtype()));
    }
  }

 private:
  template <typename T>
  Status Run(KernelContext& ctx) const {
    const Tensor& input = ctx.input(0);
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, tensorflow::DT_INT32, input.shape()));
    const T* in = input.flat<T>();
    int32_t* o = out->flat<int32_t>();
    const int64_t n = input.num_elements();
    // Compared as TensorFlow does: value < boundary with the usual arithmetic conversions.
    for (int64_t i = 0; i < n; ++i) {
      const T v = in[i];
      o[i] = static_cast<int32_t>(
          std::upper_bound(boundaries_.begin(), boundaries_.end(), v,
                           [](T value, float boundary) { return value < boundary; }) -
          boundaries_.begin());
    }
    return Status::Ok();
  }

  const std::vector<float> boundaries_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateBucketizeKernel(const KernelConstruction& c) {
  const auto* attr = c.FindAttr("boundaries");
  if (attr == nullptr) return c.Error("missing attr 'boundaries' (list(float))");
  std::vector<float> boundaries(attr->list().f().begin(), attr->list().f().end());
  if (!std::is_sorted(boundaries.begin(), boundaries.end())) {
    return c.Error("boundaries must be sorted in ascending order");
  }
  if (boundaries.size() > static_cast<size_t>(INT32_MAX)) return c.Error("too many boundaries");
  return std::unique_ptr<OpKernel>(new BucketizeKernel(std::move(boundaries)));
}

}  // namespace tern
