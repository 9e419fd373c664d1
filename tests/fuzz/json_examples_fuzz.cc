// Fuzz target: a REST classify/regress body ({"context": ..., "examples": [...]}) through
// ParseExamplesRequest into tf.Example protos, as the REST API parses it, and the examples
// serialized again as the server hands them to the model. Any Status is fine; a crash, leak or
// sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/codec/json_tensor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = tern::ParseExamplesRequest(body);
  if (parsed.ok()) {
    std::string bytes;
    for (const auto& example : parsed->examples) example.SerializeToString(&bytes);
    if (parsed->context) parsed->context->SerializeToString(&bytes);
  }
  return 0;
}
