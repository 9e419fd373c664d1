// Byte-level encodings found inside tensor bundles: LevelDB varints and fixed-width
// little-endian integers, and the OrderedCode keys under which partitioned-variable slices are
// stored. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::bundle_coding {

// Parses a varint from the front of *input and advances past it; false if truncated or longer
// than the type allows.
bool GetVarint32(std::string_view* input, uint32_t* value);
bool GetVarint64(std::string_view* input, uint64_t* value);

uint32_t DecodeFixed32(const char* p);
uint64_t DecodeFixed64(const char* p);

// One dimension of a tensor slice: `length` unset means "the whole dimension".
struct SliceExtent {
  int64_t start = 0;
  std::optional<int64_t> length;
};

// The bundle key of one stored slice of the partitioned variable `name`, as TensorFlow's
// checkpoint writer builds it (OrderedCode: 0, name, rank, then start and length per dimension
// with -1 for a full dimension). Such keys start with '\0', so they never collide with names.
std::string EncodeTensorSliceKey(std::string_view name, const std::vector<SliceExtent>& extents);

// The inverse, for diagnostics and for telling slice keys apart; nullopt if `key` is not one.
struct DecodedSliceKey {
  std::string name;
  std::vector<SliceExtent> extents;
};
std::optional<DecodedSliceKey> DecodeTensorSliceKey(std::string_view key);

}  // namespace tern::bundle_coding
