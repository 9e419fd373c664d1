// Shared by the kernels that take a resource handle (variables, lookup tables): input i as the
// resource it must hold, or an error naming the input and what it got. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "runtime/kernel.h"
#include "runtime/state/lookup_table.h"
#include "runtime/state/resources.h"

namespace tern {

// `what` names the expected handle in the error ("a variable handle").
template <typename R>
StatusOr<R*> ResourceInput(KernelContext& ctx, int i, std::string_view what) {
  auto* resource = dynamic_cast<R*>(ctx.input(i).resource().get());
  if (resource == nullptr) {
    return ctx.Error("input " + std::to_string(i) + " is not " + std::string(what) + " (got " +
                     ctx.input(i).DebugString() + ")");
  }
  return resource;
}

inline StatusOr<Variable*> VariableInput(KernelContext& ctx, int i) {
  return ResourceInput<Variable>(ctx, i, "a variable handle");
}

inline StatusOr<LookupTable*> TableInput(KernelContext& ctx, int i) {
  return ResourceInput<LookupTable>(ctx, i, "a lookup table handle");
}

}  // namespace tern
