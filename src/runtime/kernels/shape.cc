// Shape: the dimensions of the input as a 1-D out_type (int32, the default, or int64) tensor.
#include <limits>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class ShapeKernel final : public OpKernel {
 public:
  explicit ShapeKernel(DataType out_type) : out_type_(out_type) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const int rank = input.rank();
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, out_type_, TensorShape{rank}));
    for (int i = 0; i < rank; ++i) {
      const int64_t d = input.dim(i);
      if (out_type_ == tensorflow::DT_INT32) {
        if (d > std::numeric_limits<int32_t>::max()) {
          return ctx.Error("dimension " + std::to_string(i) + " of " + input.shape().DebugString() +
                           " does not fit in int32 (use int64)");
        }
        out->flat<int32_t>()[i] = static_cast<int32_t>(d);
      } else {
        out->flat<int64_t>()[i] = d;
      }
    }
    return Status::Ok();
  }

 private:
  const DataType out_type_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateShapeKernel(const KernelConstruction& c) {
  DataType out_type = tensorflow::DT_INT32;  // the OpDef default, stripped from exports
  if (c.HasAttr("out_type")) {
    TERN_ASSIGN_OR_RETURN(out_type, c.GetTypeAttr("out_type"));
  }
  if (out_type != tensorflow::DT_INT32 && out_type != tensorflow::DT_INT64) {
    return c.Error("out_type must be int32 or int64, got " + DataTypeName(out_type));
  }
  return std::unique_ptr<OpKernel>(new ShapeKernel(out_type));
}

}  // namespace tern
