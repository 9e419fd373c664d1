// Test-only writers for LevelDB-format tables and tensor bundles, so tests can build inputs
// with features (many blocks, snappy, partitions, odd headers) and damage them on purpose.
// Plain value types; not thread-safe.
#pragma once

#include <snappy.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runtime/format/bundle_coding.h"
#include "runtime/format/crc32c.h"
#include "runtime/format/table_reader.h"
#include "runtime/tensor.h"
#include "tf/tensor_bundle.pb.h"

namespace tern::testing {

inline void PutFixed32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline void PutFixed64(uint64_t v, std::string* out) {
  PutFixed32(static_cast<uint32_t>(v), out);
  PutFixed32(static_cast<uint32_t>(v >> 32), out);
}

inline void PutVarint64(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct TableOptions {
  size_t block_size = 4096;  // a data block is closed once it reaches this many bytes
  int restart_interval = 16;
  uint8_t data_compression = kNoCompression;
  uint8_t index_compression = kNoCompression;
  // Lets a test rewrite a finished data block's contents before it is compressed and
  // checksummed (so the damage is "valid" at the block level).
  std::function<void(std::string*)> mutate_data_block;
};

// Prefix-compressed entries, then the fixed32 restart offsets and their count.
inline std::string BuildBlock(const KeyValues& entries, int restart_interval) {
  std::string block;
  std::vector<uint32_t> restarts{0};
  std::string last;
  int since_restart = 0;
  for (const auto& [key, value] : entries) {
    size_t shared = 0;
    if (since_restart == restart_interval) {
      restarts.push_back(static_cast<uint32_t>(block.size()));
      since_restart = 0;
    } else {
      while (shared < last.size() && shared < key.size() && last[shared] == key[shared]) ++shared;
    }
    PutVarint64(shared, &block);
    PutVarint64(key.size() - shared, &block);
    PutVarint64(value.size(), &block);
    block.append(key, shared);
    block.append(value);
    last = key;
    ++since_restart;
  }
  for (uint32_t r : restarts) PutFixed32(r, &block);
  PutFixed32(static_cast<uint32_t>(restarts.size()), &block);
  return block;
}

// Appends a block with its trailer to *file; returns the encoded block handle.
inline std::string AppendBlock(const std::string& contents, uint8_t type, std::string* file) {
  std::string stored = contents;
  if (type == kSnappyCompression) snappy::Compress(contents.data(), contents.size(), &stored);
  std::string handle;
  PutVarint64(file->size(), &handle);
  PutVarint64(stored.size(), &handle);
  file->append(stored);
  const char type_byte = static_cast<char>(type);
  file->push_back(type_byte);
  PutFixed32(crc32c::Mask(crc32c::Extend(crc32c::Value(stored), &type_byte, 1)), file);
  return handle;
}

// A table as LevelDB (and TensorFlow's bundle writer) lays it out. `entries` must be sorted.
inline std::string BuildTable(const KeyValues& entries, const TableOptions& options = {}) {
  std::string file;
  KeyValues index;
  KeyValues pending;
  size_t pending_bytes = 0;
  auto flush = [&] {
    if (pending.empty()) return;
    std::string block = BuildBlock(pending, options.restart_interval);
    if (options.mutate_data_block) options.mutate_data_block(&block);
    // The last key of the block is a valid (if not the shortest) separator.
    index.emplace_back(pending.back().first, AppendBlock(block, options.data_compression, &file));
    pending.clear();
    pending_bytes = 0;
  };
  for (const auto& kv : entries) {
    pending.push_back(kv);
    pending_bytes += kv.first.size() + kv.second.size() + 3;
    if (pending_bytes >= options.block_size) flush();
  }
  flush();
  const std::string meta_handle = AppendBlock(BuildBlock({}, 16), kNoCompression, &file);
  const std::string index_handle =
      AppendBlock(BuildBlock(index, 1), options.index_compression, &file);
  std::string footer = meta_handle + index_handle;
  footer.resize(kTableFooterSize - 8, '\0');
  PutFixed64(kTableMagicNumber, &footer);
  return file + footer;
}

inline void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A fresh directory, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tern_bundle_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline tensorflow::TensorShapeProto ShapeProto(const std::vector<int64_t>& dims) {
  tensorflow::TensorShapeProto proto;
  for (int64_t d : dims) proto.add_dim()->set_size(d);
  return proto;
}

// Builds a bundle the way TensorFlow's writer does: data appended to shards, one entry per key.
class BundleBuilder {
 public:
  explicit BundleBuilder(int num_shards = 1) : shards_(num_shards) {
    header_.set_num_shards(num_shards);
    header_.mutable_version()->set_producer(1);
  }

  tensorflow::BundleHeaderProto& header() { return header_; }
  tensorflow::BundleEntryProto& entry(const std::string& key) { return entries_[key]; }

  void AddRaw(const std::string& key, DataType dtype, const std::vector<int64_t>& shape,
              const std::string& bytes, int shard = 0) {
    AddWithChecksum(key, dtype, shape, bytes, crc32c::Value(bytes), shard);
  }

  template <typename T>
  void Add(const std::string& key, const std::vector<T>& values, const std::vector<int64_t>& shape,
           int shard = 0) {
    AddRaw(key, DataTypeOf<T>::value, shape,
           std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)),
           shard);
  }

  // Varint64 lengths, the masked CRC32C of the lengths (as fixed32 each), then the bytes; the
  // entry checksum covers the fixed-width lengths, that stored checksum, then the bytes.
  void AddStrings(const std::string& key, const std::vector<std::string>& values,
                  const std::vector<int64_t>& shape, int shard = 0) {
    std::string bytes;
    std::string fixed_lengths;
    for (const std::string& v : values) {
      PutVarint64(v.size(), &bytes);
      PutFixed32(static_cast<uint32_t>(v.size()), &fixed_lengths);
    }
    const uint32_t lengths_crc = crc32c::Value(fixed_lengths);
    std::string stored_crc;
    PutFixed32(crc32c::Mask(lengths_crc), &stored_crc);
    bytes += stored_crc;
    uint32_t crc = crc32c::Extend(lengths_crc, stored_crc.data(), 4);
    for (const std::string& v : values) {
      bytes += v;
      crc = crc32c::Extend(crc, v.data(), v.size());
    }
    AddWithChecksum(key, tensorflow::DT_STRING, shape, bytes, crc, shard);
  }

  // The entry of a partitioned variable; each slice's data is added separately under
  // bundle_coding::EncodeTensorSliceKey(key, extents).
  void AddPartitioned(const std::string& key, DataType dtype, const std::vector<int64_t>& shape,
                      const std::vector<std::vector<bundle_coding::SliceExtent>>& slices) {
    tensorflow::BundleEntryProto& e = entries_[key];
    e.set_dtype(dtype);
    *e.mutable_shape() = ShapeProto(shape);
    for (const auto& extents : slices) {
      auto* slice = e.add_slices();
      for (const auto& x : extents) {
        auto* extent = slice->add_extent();
        extent->set_start(x.start);
        if (x.length) extent->set_length(*x.length);
      }
    }
  }

  // Writes "<prefix>.index" and the data shards.
  void Write(const std::string& prefix, const TableOptions& options = {}) const {
    KeyValues table;
    table.emplace_back("", header_.SerializeAsString());
    for (const auto& [key, entry] : entries_) table.emplace_back(key, entry.SerializeAsString());
    WriteFile(prefix + ".index", BuildTable(table, options));
    for (size_t i = 0; i < shards_.size(); ++i) {
      char suffix[48];
      std::snprintf(suffix, sizeof(suffix), ".data-%05zu-of-%05zu", i, shards_.size());
      WriteFile(prefix + suffix, shards_[i]);
    }
  }

  // Stores `bytes` with the given (unmasked) checksum.
  void AddWithChecksum(const std::string& key, DataType dtype, const std::vector<int64_t>& shape,
                       const std::string& bytes, uint32_t crc, int shard = 0) {
    tensorflow::BundleEntryProto& e = entries_[key];
    e.set_dtype(dtype);
    *e.mutable_shape() = ShapeProto(shape);
    e.set_shard_id(shard);
    e.set_offset(static_cast<int64_t>(shards_[shard].size()));
    e.set_size(static_cast<int64_t>(bytes.size()));
    e.set_crc32c(crc32c::Mask(crc));
    shards_[shard] += bytes;
  }

 private:
  tensorflow::BundleHeaderProto header_;
  std::map<std::string, tensorflow::BundleEntryProto> entries_;
  std::vector<std::string> shards_;
};

}  // namespace tern::testing
