// RealDiv: a / b elementwise with broadcasting for float and double (IEEE: x/0 is +-inf or NaN).
#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeRealDiv(KernelContext& ctx) {
  const DataType dtype = ctx.input(0).dtype();
  if (ctx.input(1).dtype() != dtype) {
    return ctx.Error("inputs have different dtypes: " + DataTypeName(dtype) + " and " +
                     DataTypeName(ctx.input(1).dtype()));
  }
  auto div = [](auto a, auto b) { return a / b; };
  switch (dtype) {
    case tensorflow::DT_FLOAT: return BinaryBroadcast<float, float>(ctx, dtype, div);
    case tensorflow::DT_DOUBLE: return BinaryBroadcast<double, double>(ctx, dtype, div);
    default: return ctx.Error("dtype " + DataTypeName(dtype) + " is not supported (float, double)");
  }
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRealDivKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeRealDiv>::Create(c);
}

}  // namespace tern
