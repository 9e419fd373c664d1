// TensorListSetItem: a new list equal to the input but with element `index` set to `item`
// (the input list is unchanged; the other elements are shared). With
// resize_if_index_out_of_bounds the list grows to index + 1 instead of failing.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/tensor_list.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class TensorListSetItemKernel final : public OpKernel {
 public:
  TensorListSetItemKernel(DataType dtype, bool resize) : dtype_(dtype), resize_(resize) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_ASSIGN_OR_RETURN(const TensorList* list, TensorListInput(ctx, 0));
    TERN_RETURN_IF_ERROR(CheckElementDtype(ctx, *list, dtype_));
    const Tensor& item = ctx.input(2);
    if (item.dtype() != dtype_) {
      return ctx.Error("item is " + item.DebugString() + " but the list holds " +
                       DataTypeName(dtype_));
    }
    if (!list->element_shape.CompatibleWith(item.shape())) {
      return ctx.Error("item of shape " + item.shape().DebugString() +
                       " is incompatible with the list's element shape " +
                       list->element_shape.DebugString());
    }
    int64_t index = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(1), "index", &index));
    const int64_t size = static_cast<int64_t>(list->elements.size());
    if (index < 0 || (index >= size && !resize_)) {
      return ctx.Error("trying to modify element " + std::to_string(index) + " in a list with " +
                       std::to_string(size) + " elements");
    }
    auto out = std::make_shared<TensorList>(*list);
    if (index >= size) out->elements.resize(static_cast<size_t>(index) + 1);
    out->elements[static_cast<size_t>(index)] = item;
    ctx.set_output(0, TensorListTensor(std::move(out)));
    return Status::Ok();
  }

 private:
  const DataType dtype_;
  const bool resize_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTensorListSetItemKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType dtype, c.GetTypeAttr("element_dtype"));
  const bool resize = c.GetBoolAttrOr("resize_if_index_out_of_bounds", false);
  return std::unique_ptr<OpKernel>(new TensorListSetItemKernel(dtype, resize));
}

}  // namespace tern
