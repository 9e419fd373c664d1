// TensorListLength: the number of elements, an int32 scalar.
#include "runtime/kernels/internal/tensor_list.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeTensorListLength(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(const TensorList* list, TensorListInput(ctx, 0));
  ctx.set_output(0, Tensor::Scalar<int32_t>(static_cast<int32_t>(list->elements.size())));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTensorListLengthKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeTensorListLength>::Create(c);
}

}  // namespace tern
