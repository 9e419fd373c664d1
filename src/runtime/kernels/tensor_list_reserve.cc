// TensorListReserve: a list of num_elements unset elements of element_dtype and element_shape.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/tensor_list.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class TensorListReserveKernel final : public OpKernel {
 public:
  explicit TensorListReserveKernel(DataType dtype) : dtype_(dtype) {}

  Status Compute(KernelContext& ctx) const override {
    auto list = std::make_shared<TensorList>();
    list->element_dtype = dtype_;
    TERN_RETURN_IF_ERROR(ReadPartialShape(ctx, ctx.input(0), &list->element_shape));
    int64_t n = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(1), "num_elements", &n));
    if (n < 0) {
      return ctx.Error("num_elements must be non-negative, got " + std::to_string(n));
    }
    list->elements.resize(static_cast<size_t>(n));
    ctx.set_output(0, TensorListTensor(std::move(list)));
    return Status::Ok();
  }

 private:
  const DataType dtype_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTensorListReserveKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType dtype, c.GetTypeAttr("element_dtype"));
  return std::unique_ptr<OpKernel>(new TensorListReserveKernel(dtype));
}

}  // namespace tern
