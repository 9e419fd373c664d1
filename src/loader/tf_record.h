// TFRecord framing (what TF Serving's warmup file assets.extra/tf_serving_warmup_requests is):
// each record is a little-endian uint64 length, its masked CRC32C, the data and the data's
// masked CRC32C. Someone else's bytes: every length and checksum is checked before use.
// Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tern {

// The records of `data`; DATA_LOSS naming `source` and the record for a bad length, checksum or
// truncation; INVALID_ARGUMENT past `max_records`.
StatusOr<std::vector<std::string>> ParseTfRecords(std::string_view data, std::string_view source,
                                                  int max_records);

// ParseTfRecords of a file's contents; NOT_FOUND when it cannot be read.
StatusOr<std::vector<std::string>> ReadTfRecords(const std::string& path, int max_records);

}  // namespace tern
