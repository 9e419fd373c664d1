// Shared by the lookup-table kernels: input i as a LookupTable, or a clear error.
#pragma once

#include "runtime/kernel.h"
#include "runtime/lookup_table.h"

namespace tern {

inline StatusOr<LookupTable*> TableInput(KernelContext& ctx, int i) {
  auto* table = dynamic_cast<LookupTable*>(ctx.input(i).resource().get());
  if (table == nullptr) {
    return ctx.Error("input " + std::to_string(i) + " is not a lookup table handle (got " +
                     ctx.input(i).DebugString() + ")");
  }
  return table;
}

}  // namespace tern
