// TensorListFromTensor: a list of the slices of `tensor` along dimension 0, each checked
// against element_shape.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/tensor_list.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeTensorListFromTensor(KernelContext& ctx) {
  const Tensor& t = ctx.input(0);
  if (t.rank() < 1) {
    return ctx.Error("tensor must be at least 1-D, got shape " + t.shape().DebugString());
  }
  auto list = std::make_shared<TensorList>();
  list->element_dtype = t.dtype();
  TERN_RETURN_IF_ERROR(ReadPartialShape(ctx, ctx.input(1), &list->element_shape));
  TensorShape element(std::vector<int64_t>(t.shape().dims().begin() + 1, t.shape().dims().end()));
  if (!list->element_shape.CompatibleWith(element)) {
    return ctx.Error("tensor of shape " + t.shape().DebugString() + " has elements of shape " +
                     element.DebugString() + ", incompatible with element_shape " +
                     list->element_shape.DebugString());
  }
  const int64_t n = t.dim(0);
  const int64_t per = element.num_elements();
  list->elements.reserve(static_cast<size_t>(n));
  TERN_RETURN_IF_ERROR(DispatchByElementSize(
      t.dtype(), "tensor",
      [&]<typename T>() -> Status {
        for (int64_t i = 0; i < n; ++i) {
          Tensor e(t.dtype(), element);
          CopyElements(t.flat<T>() + i * per, per, e.flat<T>());
          list->elements.push_back(std::move(e));
        }
        return Status::Ok();
      },
      ctx));
  ctx.set_output(0, TensorListTensor(std::move(list)));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTensorListFromTensorKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeTensorListFromTensor>::Create(c);
}

}  // namespace tern
