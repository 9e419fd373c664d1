// BroadcastArgs: the shape NumPy broadcasting gives two shapes s0 and s1 (1-D int32 or int64,
// both the same dtype), as a 1-D tensor of that dtype. Keras 3's image and spectrogram layers
// compute it where broadcast_to meets a shape known only at run time.
#include <string>
#include <vector>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeBroadcastArgs(KernelContext& ctx) {
  const Tensor& s0 = ctx.input(0);
  const Tensor& s1 = ctx.input(1);
  if (s0.dtype() != s1.dtype()) {
    return ctx.Error("s0 and s1 have different dtypes: " + DataTypeName(s0.dtype()) + " and " +
                     DataTypeName(s1.dtype()));
  }
  if (s0.dtype() != tensorflow::DT_INT32 && s0.dtype() != tensorflow::DT_INT64) {
    return ctx.Error("s0 and s1 must be int32 or int64, got " + DataTypeName(s0.dtype()));
  }
  std::vector<int64_t> a, b;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, s0, "s0", &a));
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, s1, "s1", &b));
  for (const auto* dims : {&a, &b}) {
    for (int64_t d : *dims) {
      if (d < 0)
        return ctx.Error("shapes must not hold negative dimensions, got " + std::to_string(d));
    }
  }
  auto shape = BroadcastShape(TensorShape(a), TensorShape(b));
  if (!shape.ok()) return ctx.Error(shape.status().message());
  const std::span<const int64_t> dims = shape->dims();
  const int64_t rank = static_cast<int64_t>(dims.size());
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, s0.dtype(), TensorShape{rank}));
  for (int64_t i = 0; i < rank; ++i) {
    if (s0.dtype() == tensorflow::DT_INT32) {
      out->flat<int32_t>()[i] = static_cast<int32_t>(dims[i]);
    } else {
      out->flat<int64_t>()[i] = dims[i];
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateBroadcastArgsKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeBroadcastArgs>::Create(c);
}

}  // namespace tern
