// TensorListStack: the elements stacked along a new dimension 0. All elements share one shape
// (the list's element shape merged with the element_shape input and the set elements' shapes);
// unset elements are zeros. num_elements (attr, default -1) checks the list's length.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/tensor_list.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

PartialShape Known(const TensorShape& s) { return PartialShape{true, s.dim_vector()}; }

class TensorListStackKernel final : public OpKernel {
 public:
  TensorListStackKernel(DataType dtype, int64_t num_elements)
      : dtype_(dtype), num_elements_(num_elements) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_ASSIGN_OR_RETURN(const TensorList* list, TensorListInput(ctx, 0));
    TERN_RETURN_IF_ERROR(CheckElementDtype(ctx, *list, dtype_));
    const int64_t n = static_cast<int64_t>(list->elements.size());
    if (num_elements_ != -1 && num_elements_ != n) {
      return ctx.Error("expected a list with " + std::to_string(num_elements_) +
                       " elements but got one with " + std::to_string(n));
    }
    PartialShape requested;
    TERN_RETURN_IF_ERROR(ReadPartialShape(ctx, ctx.input(1), &requested));
    TERN_ASSIGN_OR_RETURN(PartialShape shape, MergeShapes(ctx, list->element_shape, requested));
    for (const Tensor& e : list->elements) {
      if (!e.initialized()) continue;
      auto merged = MergeShapes(ctx, shape, Known(e.shape()));
      if (!merged.ok()) {
        return ctx.Error("cannot stack elements of different shapes: " + merged.status().message());
      }
      shape = std::move(merged).value();
    }
    if (!shape.FullyDefined()) {
      return ctx.Error("cannot stack a list whose element shape " + shape.DebugString() +
                       " is not fully defined (no element is set)");
    }
    std::vector<int64_t> dims = shape.dims;
    dims.insert(dims.begin(), n);
    const int64_t per = TensorShape(shape.dims).num_elements();
    return DispatchByElementSize(
        dtype_, "element",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dtype_, TensorShape(dims)));
          T* o = out->flat<T>();
          for (int64_t i = 0; i < n; ++i) {
            const Tensor& e = list->elements[static_cast<size_t>(i)];
            if (e.initialized()) CopyElements(e.flat<T>(), per, o + i * per);
          }
          return Status::Ok();
        },
        ctx);
  }

 private:
  const DataType dtype_;
  const int64_t num_elements_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTensorListStackKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType dtype, c.GetTypeAttr("element_dtype"));
  int64_t num_elements = -1;  // the OpDef default, stripped from exports
  if (c.HasAttr("num_elements")) {
    TERN_ASSIGN_OR_RETURN(num_elements, c.GetIntAttr("num_elements"));
  }
  return std::unique_ptr<OpKernel>(new TensorListStackKernel(dtype, num_elements));
}

}  // namespace tern
