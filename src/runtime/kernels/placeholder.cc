// Placeholder: must be fed; running it means the caller forgot an input.
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputePlaceholder(KernelContext& ctx) {
  return ctx.Error("you must feed a value for placeholder tensor '" + ctx.node_name() + "'");
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreatePlaceholderKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputePlaceholder>::Create(c);
}

}  // namespace tern
