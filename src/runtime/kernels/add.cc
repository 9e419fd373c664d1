// Add and AddV2: elementwise a + b with broadcasting; for strings (Add only, as in TensorFlow)
// a + b concatenates.
#include <string>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct AddFn {
  static constexpr bool kSupportsHalf = true;
  T operator()(T a, T b) const { return static_cast<T>(a + b); }
};

Status ComputeAdd(KernelContext& ctx) {
  if (ctx.input(0).dtype() == tensorflow::DT_STRING &&
      ctx.input(1).dtype() == tensorflow::DT_STRING) {
    return BinaryBroadcast<std::string, std::string>(
        ctx, tensorflow::DT_STRING,
        [](const std::string& a, const std::string& b) { return a + b; });
  }
  return ArithmeticBroadcast<AddFn>(ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAddKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeAdd>::Create(c);
}

}  // namespace tern
