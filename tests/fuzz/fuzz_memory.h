// The tensor memory budget a fuzz target runs under: 1 GiB for the process, as the server sets
// one (--memory flags, runtime/memory_account.h), so a tiny input declaring a huge shape is
// refused with RESOURCE_EXHAUSTED as in the server, instead of reaching libFuzzer's 2 GB malloc
// limit (which reports such an allocation as a crash).
#pragma once

#include <cstdint>

#include "runtime/memory_account.h"

namespace tern::fuzz {

inline void LimitTensorMemory() {
  static const bool done = [] {
    TensorMemory::SetProcessLimitBytes(int64_t{1} << 30);
    return true;
  }();
  (void)done;
}

}  // namespace tern::fuzz
