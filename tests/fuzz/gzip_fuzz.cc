// Fuzz target: a Content-Encoding: gzip request body through GunzipBody with the HTTP server's
// kind of limit (here 1 MiB, so a small input cannot make the fuzzer itself run out of memory).
// INVALID_ARGUMENT or RESOURCE_EXHAUSTED are fine; a crash, leak or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/http/gzip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = tern::GunzipBody(body, uint64_t{1} << 20);
  if (decoded.ok() && decoded->size() > (uint64_t{1} << 20)) __builtin_trap();  // limit ignored
  return 0;
}
