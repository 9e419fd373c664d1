// Reader for LevelDB-format sorted tables, the container of a tensor bundle's `.index` file.
// The whole table is decoded at once (bundle indexes hold one small entry per tensor), checking
// the footer magic, every block's masked CRC32C and the key order. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tern {

struct TableEntry {
  std::string key;
  std::string value;
};

// The table's entries in key order. `file_name` labels error messages only. Corruption is
// DataLoss; a block compressed with something other than none or snappy is Unimplemented.
StatusOr<std::vector<TableEntry>> ParseTable(std::string_view contents,
                                             const std::string& file_name);

// Reads `path` and parses it with ParseTable. A missing file is NotFound.
StatusOr<std::vector<TableEntry>> ReadTableFile(const std::string& path);

// Table layout constants, exposed for tests that build or damage tables.
inline constexpr uint64_t kTableMagicNumber = 0xdb4775248b80fb57ull;
inline constexpr size_t kTableFooterSize = 48;  // two padded block handles + 8-byte magic
inline constexpr size_t kBlockTrailerSize = 5;  // compression type byte + masked crc32c
inline constexpr uint8_t kNoCompression = 0;
inline constexpr uint8_t kSnappyCompression = 1;

}  // namespace tern
