// RngReadAndSkip: returns the state of a tf.random.Generator (an int64 variable: for Philox the
// 128-bit counter in elements 0 and 1, low first, then the key) as it was, and advances the
// variable's counter by 256 * delta (a uint64, wrapping; TensorFlow reserves 256 counter steps
// per requested draw), carrying into the high half. alg is Philox (1) or auto-select (3, Philox
// on CPU); ThreeFry (2) is refused, as TensorFlow's CPU kernel does. tf-keras' random layers
// (RandomCrop, RandomBrightness, RandomHeight, RandomWidth) read their generator with it even at
// inference. The read and the advance are one atomic update of the variable.
#include <string>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

constexpr int64_t kAlgPhilox = 1;
constexpr int64_t kAlgAutoSelect = 3;

Status ComputeRngReadAndSkip(KernelContext& ctx) {
  TERN_ASSIGN_OR_RETURN(Variable * variable, VariableInput(ctx, 0));
  int64_t alg = 0;
  TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(1), "alg", &alg));
  if (alg != kAlgPhilox && alg != kAlgAutoSelect) {
    return ctx.Error("Unsupported algorithm id: " + std::to_string(alg) +
                     " (Philox, 1, and auto-select, 3, are supported)");
  }
  const Tensor& delta_t = ctx.input(2);
  if (delta_t.dtype() != tensorflow::DT_UINT64 || delta_t.num_elements() != 1) {
    return ctx.Error("delta must be a uint64 scalar, got " + delta_t.DebugString());
  }
  const uint64_t step = delta_t.flat<uint64_t>()[0] * 256;  // wraps, as TensorFlow's does
  Tensor old;
  Status status = variable->Update([&](const Tensor& current) -> StatusOr<Tensor> {
    if (current.dtype() != tensorflow::DT_INT64 || current.rank() != 1) {
      return ctx.Error("the state of variable '" + variable->name() +
                       "' must be a 1-D int64 tensor, got " + current.DebugString());
    }
    if (current.dim(0) < 3) {
      return ctx.Error("For the Philox algorithm, the size of state must be at least 3; got " +
                       std::to_string(current.dim(0)));
    }
    old = current;
    Tensor next = current.Clone();
    auto* state = reinterpret_cast<uint64_t*>(next.flat<int64_t>());
    const uint64_t low = state[0] + step;
    if (low < state[0]) ++state[1];
    state[0] = low;
    return next;
  });
  if (status.code() == StatusCode::kFailedPrecondition) return ctx.Error(status.message());
  TERN_RETURN_IF_ERROR(status);
  ctx.set_output(0, old);
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRngReadAndSkipKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeRngReadAndSkip>::Create(c);
}

}  // namespace tern
