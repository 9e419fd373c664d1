#include "runtime/format/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace tern::crc32c {
namespace {

// Bit-at-a-time CRC32C, the definition the table-driven version must agree with.
uint32_t Reference(const std::string& data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int i = 0; i < 8; ++i) crc = (crc & 1) ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
  }
  return ~crc;
}

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Value(""), 0u);
  EXPECT_EQ(Value("a"), 0xc1d04330u);
  EXPECT_EQ(Value("123456789"), 0xe3069283u);
  // The iSCSI test vectors (RFC 3720, appendix B.4).
  EXPECT_EQ(Value(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Value(std::string(32, '\xff')), 0x62a8ab43u);
  std::string ascending;
  std::string descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(Value(ascending), 0x46dd794eu);
  EXPECT_EQ(Value(descending), 0x113fdb5cu);
}

TEST(Crc32cTest, MatchesBitwiseReferenceAtEveryLengthAndAlignment) {
  std::mt19937 rng(42);
  std::string buffer(300, '\0');
  for (char& c : buffer) c = static_cast<char>(rng());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t length = 0; start + length <= buffer.size(); length += 7) {
      const std::string piece = buffer.substr(start, length);
      ASSERT_EQ(Value(buffer.data() + start, length), Reference(piece))
          << "start " << start << " length " << length;
    }
  }
}

TEST(Crc32cTest, ExtendEqualsValueOfConcatenation) {
  const std::string data = "hello tensor bundle, with more than eight bytes";
  for (size_t split = 0; split <= data.size(); ++split) {
    const uint32_t first = Value(data.data(), split);
    EXPECT_EQ(Extend(first, data.data() + split, data.size() - split), Value(data)) << split;
  }
}

TEST(Crc32cTest, MaskRoundTripsAndChangesTheValue) {
  for (uint32_t crc : {0u, 1u, 0xe3069283u, 0xffffffffu, 0x80000000u}) {
    EXPECT_EQ(Unmask(Mask(crc)), crc);
    EXPECT_NE(Mask(crc), crc);
    EXPECT_NE(Mask(Mask(crc)), Mask(crc));
  }
  // The mask of an empty CRC is the delta itself; TensorFlow stores it for empty tensors.
  EXPECT_EQ(Mask(0), 0xa282ead8u);
  EXPECT_EQ(Mask(Value("123456789")), 0xc78ab0e5u);
}

}  // namespace
}  // namespace tern::crc32c
