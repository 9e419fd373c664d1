// The tensor memory budget a fuzz target runs under: 256 MiB for the process, as the server sets
// one (--memory flags, runtime/memory_account.h), so a tiny input declaring a huge shape is
// refused with RESOURCE_EXHAUSTED as in the server, instead of reaching libFuzzer's 2 GB RSS and
// malloc limits (which report it as a crash). Small enough that a tensor within it, with ASan's
// shadow and quarantine on top, stays under those limits.
#pragma once

#include <cstdint>

#include "runtime/memory_account.h"

namespace tern::fuzz {

inline void LimitTensorMemory() {
  static const bool done = [] {
    TensorMemory::SetProcessLimitBytes(int64_t{256} << 20);
    return true;
  }();
  (void)done;
}

}  // namespace tern::fuzz
