// Invert: ~x, the bitwise complement, elementwise over the integer types.
#include <type_traits>

#include "runtime/kernels/internal/unary.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeInvert(KernelContext& ctx) {
  const DataType dtype = ctx.input(0).dtype();
  if (dtype == tensorflow::DT_FLOAT || dtype == tensorflow::DT_DOUBLE) {
    return ctx.Error("dtype " + DataTypeName(dtype) + " is not supported (integer types)");
  }
  return UnaryNumeric(ctx, []<typename T>(T x) -> T {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(~x);
    } else {
      return x;  // unreachable: floating point is refused above
    }
  });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateInvertKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeInvert>::Create(c);
}

}  // namespace tern
