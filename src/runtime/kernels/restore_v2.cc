// RestoreV2: reads named tensors from a tensor bundle (the variables/ checkpoint).
// Runs once per load, from the saver's restore op.
#include "runtime/format/tensor_bundle.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class RestoreV2Kernel final : public OpKernel {
 public:
  explicit RestoreV2Kernel(std::vector<DataType> dtypes) : dtypes_(std::move(dtypes)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& prefix = ctx.input(0);
    const Tensor& names = ctx.input(1);
    const Tensor& slices = ctx.input(2);
    if (prefix.dtype() != tensorflow::DT_STRING || prefix.num_elements() != 1) {
      return ctx.Error("prefix must be a string scalar");
    }
    if (names.num_elements() != static_cast<int64_t>(dtypes_.size()) ||
        slices.num_elements() != names.num_elements()) {
      return ctx.Error("expected " + std::to_string(dtypes_.size()) + " tensor names and slices");
    }
    auto reader = TensorBundleReader::Open(prefix.flat<std::string>()[0]);
    if (!reader.ok()) return reader.status();
    for (size_t i = 0; i < dtypes_.size(); ++i) {
      const std::string& key = names.flat<std::string>()[i];
      const std::string& slice = slices.flat<std::string>()[i];
      auto tensor = slice.empty() ? (*reader)->Read(key) : (*reader)->ReadSlice(key, slice);
      if (!tensor.ok()) return tensor.status();
      if (tensor->dtype() != dtypes_[i]) {
        return ctx.Error("checkpoint tensor '" + key + "' has dtype " +
                         DataTypeName(tensor->dtype()) + ", the graph expects " +
                         DataTypeName(dtypes_[i]));
      }
      ctx.set_output(static_cast<int>(i), std::move(tensor).value());
    }
    return Status::Ok();
  }

 private:
  const std::vector<DataType> dtypes_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRestoreV2Kernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(auto dtypes, c.GetTypeListAttr("dtypes"));
  return std::unique_ptr<OpKernel>(new RestoreV2Kernel(std::move(dtypes)));
}

}  // namespace tern
