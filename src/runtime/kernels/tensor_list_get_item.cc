// TensorListGetItem: element `index` of the list; an element never set reads as zeros of the
// element shape (the list's merged with the element_shape input), which must then be known.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/tensor_list.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class TensorListGetItemKernel final : public OpKernel {
 public:
  explicit TensorListGetItemKernel(DataType dtype) : dtype_(dtype) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_ASSIGN_OR_RETURN(const TensorList* list, TensorListInput(ctx, 0));
    TERN_RETURN_IF_ERROR(CheckElementDtype(ctx, *list, dtype_));
    int64_t index = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(1), "index", &index));
    const int64_t size = static_cast<int64_t>(list->elements.size());
    if (index < 0 || index >= size) {
      return ctx.Error("trying to access element " + std::to_string(index) + " in a list with " +
                       std::to_string(size) + " elements");
    }
    const Tensor& item = list->elements[static_cast<size_t>(index)];
    if (item.initialized()) {
      ctx.set_output(0, item);
      return Status::Ok();
    }
    PartialShape requested;
    TERN_RETURN_IF_ERROR(ReadPartialShape(ctx, ctx.input(2), &requested));
    TERN_ASSIGN_OR_RETURN(PartialShape shape, MergeShapes(ctx, list->element_shape, requested));
    if (!shape.FullyDefined()) {
      return ctx.Error("element " + std::to_string(index) +
                       " was never set and the element shape " + shape.DebugString() +
                       " is not fully defined");
    }
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dtype_, TensorShape(shape.dims)));
    (void)out;  // zero-filled
    return Status::Ok();
  }

 private:
  const DataType dtype_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTensorListGetItemKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType dtype, c.GetTypeAttr("element_dtype"));
  if (c.num_inputs() != 3) {
    return c.Error("expected 3 inputs (input_handle, index, element_shape), got " +
                   std::to_string(c.num_inputs()));
  }
  return std::unique_ptr<OpKernel>(new TensorListGetItemKernel(dtype));
}

}  // namespace tern
