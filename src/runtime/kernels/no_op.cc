// NoOp (and ops that only matter to TensorFlow's own runtime, e.g. DisableCopyOnRead):
// runs for its control dependencies, produces nothing.
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeNoOp(KernelContext&) { return Status::Ok(); }

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateNoOpKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeNoOp>::Create(c);
}

}  // namespace tern
