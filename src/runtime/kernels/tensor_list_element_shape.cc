// TensorListElementShape: the list's element shape as shape_type (int32 default, or int64):
// a scalar -1 for unknown rank, else a vector with -1 for unknown dims.
#include "runtime/kernels/internal/tensor_list.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class TensorListElementShapeKernel final : public OpKernel {
 public:
  explicit TensorListElementShapeKernel(DataType type) : type_(type) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_ASSIGN_OR_RETURN(const TensorList* list, TensorListInput(ctx, 0));
    const PartialShape& s = list->element_shape;
    const TensorShape shape =
        s.known_rank ? TensorShape{static_cast<int64_t>(s.dims.size())} : TensorShape{};
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, type_, shape));
    const std::vector<int64_t> values = s.known_rank ? s.dims : std::vector<int64_t>{-1};
    for (size_t i = 0; i < values.size(); ++i) {
      if (type_ == tensorflow::DT_INT64) {
        out->flat<int64_t>()[i] = values[i];
      } else {
        out->flat<int32_t>()[i] = static_cast<int32_t>(values[i]);
      }
    }
    return Status::Ok();
  }

 private:
  const DataType type_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTensorListElementShapeKernel(
    const KernelConstruction& c) {
  DataType type = tensorflow::DT_INT32;
  if (c.HasAttr("shape_type")) {
    TERN_ASSIGN_OR_RETURN(type, c.GetTypeAttr("shape_type"));
  }
  if (type != tensorflow::DT_INT32 && type != tensorflow::DT_INT64) {
    return c.Error("shape_type must be int32 or int64, got " + DataTypeName(type));
  }
  return std::unique_ptr<OpKernel>(new TensorListElementShapeKernel(type));
}

}  // namespace tern
