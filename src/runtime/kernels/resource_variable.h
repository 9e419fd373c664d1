// Shared by the resource-variable kernels: input i as a Variable, or a clear error.
#pragma once

#include "runtime/kernel.h"
#include "runtime/resources.h"

namespace tern {

inline StatusOr<Variable*> VariableInput(KernelContext& ctx, int i) {
  auto* variable = dynamic_cast<Variable*>(ctx.input(i).resource().get());
  if (variable == nullptr) {
    return ctx.Error("input " + std::to_string(i) + " is not a variable handle (got " +
                     ctx.input(i).DebugString() + ")");
  }
  return variable;
}

}  // namespace tern
