#include "runtime/format/table_reader.h"

#include <fcntl.h>
#include <snappy.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_set>

#include "runtime/format/bundle_coding.h"
#include "runtime/format/crc32c.h"

namespace tern {
namespace {

using bundle_coding::DecodeFixed32;
using bundle_coding::DecodeFixed64;
using bundle_coding::GetVarint32;
using bundle_coding::GetVarint64;

// An uncompressed block larger than this is a corrupt length, not a real index block.
constexpr size_t kMaxBlockSize = size_t{1} << 30;

struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;
};

bool DecodeBlockHandle(std::string_view* in, BlockHandle* handle) {
  return GetVarint64(in, &handle->offset) && GetVarint64(in, &handle->size);
}

// Walks one in-memory table: footer, then metaindex and index blocks, then every data block.
// Borrows `contents` and `file_name`; lives for one ParseTable call.
class TableParser {
 public:
  TableParser(std::string_view contents, const std::string& file_name)
      : contents_(contents), file_name_(file_name) {}

  StatusOr<std::vector<TableEntry>> Parse() {
    if (contents_.size() < kTableFooterSize) {
      return Error("file is " + std::to_string(contents_.size()) +
                   " bytes, shorter than a table footer (" + std::to_string(kTableFooterSize) +
                   "): truncated or not a tensor bundle index");
    }
    const std::string_view footer = contents_.substr(contents_.size() - kTableFooterSize);
    const uint64_t magic = DecodeFixed64(footer.data() + kTableFooterSize - 8);
    if (magic != kTableMagicNumber) {
      return Error("bad table magic number in footer: truncated or not a tensor bundle index");
    }
    std::string_view handles = footer.substr(0, kTableFooterSize - 8);
    BlockHandle metaindex;
    BlockHandle index;
    if (!DecodeBlockHandle(&handles, &metaindex) || !DecodeBlockHandle(&handles, &index)) {
      return Error("footer block handles are malformed");
    }

    // The metaindex names optional filter blocks, which bundles never use; it is still checked
    // so that no byte of the file goes unverified.
    TERN_ASSIGN_OR_RETURN(std::string meta_block, ReadBlock(metaindex, "metaindex block"));
    std::vector<TableEntry> ignored;
    TERN_RETURN_IF_ERROR(ParseBlock(meta_block, "metaindex block", &ignored));

    TERN_ASSIGN_OR_RETURN(std::string index_block, ReadBlock(index, "index block"));
    std::vector<TableEntry> index_entries;
    TERN_RETURN_IF_ERROR(ParseBlock(index_block, "index block", &index_entries));

    std::vector<TableEntry> entries;
    for (size_t i = 0; i < index_entries.size(); ++i) {
      const std::string what = "data block " + std::to_string(i);
      std::string_view handle_bytes = index_entries[i].value;
      BlockHandle handle;
      if (!DecodeBlockHandle(&handle_bytes, &handle) || !handle_bytes.empty()) {
        return Error("index entry " + std::to_string(i) + " is not a block handle");
      }
      TERN_ASSIGN_OR_RETURN(std::string block, ReadBlock(handle, what));
      const size_t first = entries.size();
      TERN_RETURN_IF_ERROR(
          ParseBlock(block, what + " at offset " + std::to_string(handle.offset), &entries));
      // The index key separates blocks: no key in block i may sort after it.
      if (entries.size() > first && entries.back().key > index_entries[i].key) {
        return Error(what + " holds keys past its index entry");
      }
    }
    for (size_t i = 1; i < entries.size(); ++i) {
      if (!(entries[i - 1].key < entries[i].key)) {
        return Error("keys out of order or repeated across blocks");
      }
    }
    return entries;
  }

 private:
  Status Error(const std::string& message) const { return DataLoss(file_name_ + ": " + message); }

  StatusOr<std::string> ReadBlock(const BlockHandle& handle, const std::string& what) const {
    const std::string where = what + " at offset " + std::to_string(handle.offset) + " (" +
                              std::to_string(handle.size) + " bytes)";
    const uint64_t limit = contents_.size() - kTableFooterSize;
    if (handle.offset > limit || handle.size > limit - handle.offset ||
        kBlockTrailerSize > limit - handle.offset - handle.size) {
      return Error(where + " extends past the end of the file (" +
                   std::to_string(contents_.size()) + " bytes): truncated?");
    }
    const char* data = contents_.data() + handle.offset;
    const uint8_t type = static_cast<uint8_t>(data[handle.size]);
    const uint32_t stored = DecodeFixed32(data + handle.size + 1);
    // The checksum covers the stored (possibly compressed) bytes and the type byte.
    const uint32_t actual = crc32c::Extend(crc32c::Value(data, handle.size), data + handle.size, 1);
    if (crc32c::Unmask(stored) != actual) {
      return Error(where + ": checksum mismatch (stored masked crc32c " + crc32c::ToHex(stored) +
                   ", computed " + crc32c::ToHex(crc32c::Mask(actual)) + ")");
    }
    switch (type) {
      case kNoCompression: return std::string(data, handle.size);
      case kSnappyCompression: {
        size_t length = 0;
        if (!snappy::GetUncompressedLength(data, handle.size, &length) || length > kMaxBlockSize) {
          return Error(where + ": bad snappy header");
        }
        std::string out;
        if (!snappy::Uncompress(data, handle.size, &out)) {
          return Error(where + ": snappy data does not decompress");
        }
        return out;
      }
      default:
        return Unimplemented(file_name_ + ": " + where + " uses compression type " +
                             std::to_string(type) +
                             "; only uncompressed (0) and snappy (1) blocks are supported");
    }
  }

  // Appends the block's entries to *out. A block is a run of prefix-compressed entries
  // (varint shared, non-shared and value lengths, key suffix, value), then an array of
  // fixed32 restart offsets where a full key is stored, then the restart count.
  Status ParseBlock(std::string_view block, const std::string& what,
                    std::vector<TableEntry>* out) const {
    if (block.size() < 4) return Error(what + " is shorter than its restart count");
    const uint32_t num_restarts = DecodeFixed32(block.data() + block.size() - 4);
    if (num_restarts > (block.size() - 4) / 4) {
      return Error(what + ": restart count " + std::to_string(num_restarts) +
                   " does not fit in the block");
    }
    const size_t restarts_offset = block.size() - 4 - 4 * size_t{num_restarts};
    std::string_view rest = block.substr(0, restarts_offset);
    std::unordered_set<size_t> full_key_offsets;
    std::string key;
    bool first = true;
    while (!rest.empty()) {
      const size_t entry_offset = restarts_offset - rest.size();
      uint32_t shared = 0;
      uint32_t non_shared = 0;
      uint32_t value_length = 0;
      if (!GetVarint32(&rest, &shared) || !GetVarint32(&rest, &non_shared) ||
          !GetVarint32(&rest, &value_length) || shared > key.size() ||
          rest.size() < uint64_t{non_shared} + value_length) {
        return Error(what + ": malformed entry at block offset " + std::to_string(entry_offset));
      }
      if (shared == 0) full_key_offsets.insert(entry_offset);
      std::string next = key.substr(0, shared);
      next.append(rest.data(), non_shared);
      if (!first && !(key < next)) {
        return Error(what + ": keys out of order at block offset " + std::to_string(entry_offset));
      }
      key = std::move(next);
      out->push_back({key, std::string(rest.substr(non_shared, value_length))});
      rest.remove_prefix(non_shared + value_length);
      first = false;
    }
    for (uint32_t i = 0; i < num_restarts; ++i) {
      const uint32_t restart = DecodeFixed32(block.data() + restarts_offset + 4 * i);
      const bool empty_block = restarts_offset == 0 && restart == 0;
      if (!empty_block && !full_key_offsets.contains(restart)) {
        return Error(what + ": restart point " + std::to_string(i) +
                     " does not point at an entry with a full key");
      }
    }
    return Status::Ok();
  }

  std::string_view contents_;
  const std::string& file_name_;
};

}  // namespace

StatusOr<std::vector<TableEntry>> ParseTable(std::string_view contents,
                                             const std::string& file_name) {
  return TableParser(contents, file_name).Parse();
}

StatusOr<std::vector<TableEntry>> ReadTableFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return NotFound(path + ": no such file");
    return Unavailable(path + ": cannot open: " + std::strerror(err));
  }
  std::string contents;
  struct stat st {};
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = Unavailable(path + ": cannot stat: " + std::strerror(errno));
  } else {
    contents.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < contents.size()) {
      const ssize_t n =
          ::pread(fd, contents.data() + done, contents.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = Unavailable(path + ": read failed: " + std::strerror(errno));
        break;
      }
      if (n == 0) {  // shrank while we read it: a writer is still at work
        contents.resize(done);
        break;
      }
      done += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  TERN_RETURN_IF_ERROR(status);
  return ParseTable(contents, path);
}

}  // namespace tern
