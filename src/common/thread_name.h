// Names the calling thread for `top -H`, `ps -L`, perf and gdb ("tern-compute", "tern-http"...),
// so an operator can see which part of the server holds the CPU. Linux keeps at most 15 bytes;
// longer names are cut. Best effort: a failure changes nothing else. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tern {

void SetCurrentThreadName(std::string_view name);
// The calling thread's name ("" where the platform cannot say).
std::string CurrentThreadName();

}  // namespace tern
