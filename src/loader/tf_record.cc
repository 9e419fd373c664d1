#include "loader/tf_record.h"

#include <fstream>
#include <sstream>

#include "runtime/format/crc32c.h"

namespace tern {
namespace {

uint64_t LoadLe64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint32_t LoadLe32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

StatusOr<std::vector<std::string>> ParseTfRecords(std::string_view data, std::string_view source,
                                                  int max_records) {
  std::vector<std::string> records;
  size_t pos = 0;
  while (pos < data.size()) {
    const std::string where =
        "'" + std::string(source) + "' record " + std::to_string(records.size());
    if (data.size() - pos < 12) return DataLoss(where + ": truncated header");
    const uint64_t length = LoadLe64(data.data() + pos);
    if (crc32c::Unmask(LoadLe32(data.data() + pos + 8)) != crc32c::Value(data.data() + pos, 8)) {
      return DataLoss(where + ": length checksum mismatch");
    }
    pos += 12;
    if (data.size() - pos < 4 || length > data.size() - pos - 4) {
      return DataLoss(where + ": truncated data (length " + std::to_string(length) + ")");
    }
    if (crc32c::Unmask(LoadLe32(data.data() + pos + length)) !=
        crc32c::Value(data.data() + pos, length)) {
      return DataLoss(where + ": data checksum mismatch");
    }
    if (static_cast<int>(records.size()) >= max_records) {
      return InvalidArgument("'" + std::string(source) + "' has more than " +
                             std::to_string(max_records) + " records");
    }
    records.emplace_back(data.substr(pos, length));
    pos += length + 4;
  }
  return records;
}

StatusOr<std::vector<std::string>> ReadTfRecords(const std::string& path, int max_records) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return ParseTfRecords(buffer.str(), path, max_records);
}

}  // namespace tern
