// Size: the number of elements of the input, as out_type (int32 by default, or int64).
#include <limits>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class SizeKernel final : public OpKernel {
 public:
  explicit SizeKernel(DataType out_type) : out_type_(out_type) {}
  Status Compute(KernelContext& ctx) const override {
    const int64_t n = ctx.input(0).num_elements();
    if (out_type_ == tensorflow::DT_INT64) {
      ctx.set_output(0, Tensor::Scalar<int64_t>(n));
    } else {
      if (n > std::numeric_limits<int32_t>::max()) {
        return ctx.Error("size " + std::to_string(n) + " does not fit out_type int32");
      }
      ctx.set_output(0, Tensor::Scalar<int32_t>(static_cast<int32_t>(n)));
    }
    return Status::Ok();
  }

 private:
  const DataType out_type_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSizeKernel(const KernelConstruction& c) {
  DataType out_type = tensorflow::DT_INT32;  // OpDef default; stripped from exports
  if (c.HasAttr("out_type")) {
    TERN_ASSIGN_OR_RETURN(out_type, c.GetTypeAttr("out_type"));
  }
  if (out_type != tensorflow::DT_INT32 && out_type != tensorflow::DT_INT64) {
    return c.Error("out_type must be int32 or int64, got " + DataTypeName(out_type));
  }
  return std::unique_ptr<OpKernel>(new SizeKernel(out_type));
}

}  // namespace tern
