// Add and AddV2: elementwise a + b with broadcasting (string Add concatenates in TensorFlow;
// not supported here).
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
struct AddFn {
  T operator()(T a, T b) const { return static_cast<T>(a + b); }
};

Status ComputeAdd(KernelContext& ctx) { return ArithmeticBroadcast<AddFn>(ctx); }

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAddKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeAdd>::Create(c);
}

}  // namespace tern
