// Decoding of gzip request bodies (Content-Encoding: gzip), as TF Serving's REST server accepts
// them. Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tern {

// INVALID_ARGUMENT for data that is not gzip; RESOURCE_EXHAUSTED once the decoded size would
// pass max_decoded_bytes (a small body must not expand into an unbounded one).
StatusOr<std::string> GunzipBody(std::string_view compressed, uint64_t max_decoded_bytes);

}  // namespace tern
