// Relu: max(features, 0) elementwise; NaN stays NaN. float, double and the integer types.
#include <type_traits>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
Status RunRelu(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if constexpr (std::is_unsigned_v<T>) {
    ctx.set_output(0, x);  // nothing is below zero
  } else {
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
    const T* in = x.flat<T>();
    T* o = out->flat<T>();
    const int64_t n = x.num_elements();
    for (int64_t i = 0; i < n; ++i) o[i] = in[i] < T(0) ? T(0) : in[i];
  }
  return Status::Ok();
}

Status ComputeRelu(KernelContext& ctx) {
  switch (ctx.input(0).dtype()) {
    case tensorflow::DT_FLOAT: return RunRelu<float>(ctx);
    case tensorflow::DT_DOUBLE: return RunRelu<double>(ctx);
    case tensorflow::DT_INT32: return RunRelu<int32_t>(ctx);
    case tensorflow::DT_INT64: return RunRelu<int64_t>(ctx);
    case tensorflow::DT_INT16: return RunRelu<int16_t>(ctx);
    case tensorflow::DT_INT8: return RunRelu<int8_t>(ctx);
    case tensorflow::DT_UINT8: return RunRelu<uint8_t>(ctx);
    case tensorflow::DT_UINT16: return RunRelu<uint16_t>(ctx);
    case tensorflow::DT_UINT32: return RunRelu<uint32_t>(ctx);
    case tensorflow::DT_UINT64: return RunRelu<uint64_t>(ctx);
    default: return ctx.Error("dtype " + DataTypeName(ctx.input(0).dtype()) + " is not supported");
  }
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateReluKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeRelu>::Create(c);
}

}  // namespace tern
