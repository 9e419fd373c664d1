// TensorBundleReader: reads a TensorFlow tensor bundle, the checkpoint format of a SavedModel's
// variables/ directory. Open() loads and checks the whole index and opens every data shard;
// after that the reader is immutable and every method is const and safe to call concurrently.
// The reader owns the shard file descriptors (so a version deleted from disk stays readable).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/tensor.h"
#include "tf/tensor_bundle.pb.h"

namespace tern {

class TensorBundleReader {
 public:
  // `prefix` is e.g. "<saved_model_dir>/variables/variables": the index is "<prefix>.index" and
  // the data shards are "<prefix>.data-0000i-of-0000N". Verifies the index table (footer magic,
  // every block's masked CRC32C; blocks uncompressed or snappy), parses the header (key ""),
  // checks every entry's metadata (dtype/shape/size agree, shard exists and is long enough,
  // partitioned variables are exactly covered by their slices). Errors name the file.
  static StatusOr<std::unique_ptr<TensorBundleReader>> Open(const std::string& prefix);

  ~TensorBundleReader();
  TensorBundleReader(const TensorBundleReader&) = delete;
  TensorBundleReader& operator=(const TensorBundleReader&) = delete;

  bool Contains(const std::string& key) const;
  // Tensor names in sorted (bytewise) order, without the header key and without the internal
  // per-slice keys of partitioned variables (which begin with '\0').
  std::vector<std::string> Keys() const;
  StatusOr<tensorflow::BundleEntryProto> Entry(const std::string& key) const;

  // Reads the tensor, verifying its size and the entry's masked crc32c (DataLoss on mismatch,
  // naming key and shard). Numeric dtypes (half and bfloat16 as raw 2-byte values) and
  // DT_STRING are supported; a partitioned variable is assembled from its slices.
  StatusOr<Tensor> Read(const std::string& key) const;

  // Reads part of a tensor, as RestoreV2 does for a partition of a partitioned variable.
  // `shape_and_slice` is TensorFlow's spec: the full shape, then the slice as start,length per
  // dimension ('-' for a whole one), e.g. "7 3 0,3:-"; "" means the whole tensor. The full
  // shape must match the stored one. A slice that was stored as such is read on its own.
  StatusOr<Tensor> ReadSlice(const std::string& key, const std::string& shape_and_slice) const;

  // Reads every stored entry once and verifies every checksum, without keeping the tensors
  // (used to refuse half-written versions before serving them).
  Status VerifyAll() const;

  const std::string& prefix() const { return prefix_; }
  const tensorflow::BundleHeaderProto& header() const { return header_; }

 private:
  struct Shard {
    std::string path;
    int fd = -1;
    uint64_t size = 0;
  };

  explicit TensorBundleReader(std::string prefix) : prefix_(std::move(prefix)) {}

  Status OpenShards();
  Status CheckEntry(const std::string& key, const tensorflow::BundleEntryProto& entry) const;
  Status CheckSlices(const std::string& key, const tensorflow::BundleEntryProto& entry) const;

  // Reads an entry whose bytes are stored directly (not one with slices).
  StatusOr<Tensor> ReadStored(const std::string& key,
                              const tensorflow::BundleEntryProto& entry) const;
  StatusOr<Tensor> ReadStrings(const std::string& key, const tensorflow::BundleEntryProto& entry,
                               const TensorShape& shape) const;
  StatusOr<Tensor> ReadSliced(const std::string& key,
                              const tensorflow::BundleEntryProto& entry) const;
  // Checksums a numeric entry in bounded chunks, for VerifyAll.
  Status VerifyStoredNumeric(const std::string& key,
                             const tensorflow::BundleEntryProto& entry) const;
  Status ReadBytes(const Shard& shard, uint64_t offset, uint64_t size, void* out) const;
  Status ChecksumError(const std::string& key, const tensorflow::BundleEntryProto& entry,
                       uint32_t computed) const;

  std::string prefix_;
  std::string index_path_;
  tensorflow::BundleHeaderProto header_;
  std::map<std::string, tensorflow::BundleEntryProto> entries_;  // every key but the header
  std::vector<Shard> shards_;
};

// "<prefix>.data-00002-of-00005" for shard 2 of 5.
std::string BundleShardPath(const std::string& prefix, int shard, int num_shards);

}  // namespace tern
