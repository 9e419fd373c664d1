#include "loader/tf_record.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "runtime/format/crc32c.h"

namespace tern {
namespace {

std::string Le(uint64_t v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

// TFRecord framing: length, masked crc of length, data, masked crc of data.
std::string Record(const std::string& data) {
  const std::string length = Le(data.size(), 8);
  return length + Le(crc32c::Mask(crc32c::Value(length)), 4) + data +
         Le(crc32c::Mask(crc32c::Value(data)), 4);
}

class TfRecordTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& bytes) {
    const std::string path =
        std::filesystem::temp_directory_path() / ("tern_tfrecord_" + std::to_string(getpid()));
    std::ofstream(path, std::ios::binary) << bytes;
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const auto& p : paths_) std::filesystem::remove(p);
  }
  std::vector<std::string> paths_;
};

TEST_F(TfRecordTest, ReadsRecords) {
  auto records = ReadTfRecords(Write(Record("abc") + Record("") + Record("hello")), 10);
  ASSERT_TRUE(records.ok()) << records.status().message();
  EXPECT_EQ(*records, (std::vector<std::string>{"abc", "", "hello"}));
}

TEST_F(TfRecordTest, CorruptTruncatedAndTooManyAreErrors) {
  std::string bytes = Record("abc") + Record("hello");
  std::string flipped = bytes;
  flipped[bytes.size() - 6] ^= 1;
  auto corrupt = ReadTfRecords(Write(flipped), 10);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(corrupt.status().message().find("record 1"), std::string::npos);

  auto truncated = ReadTfRecords(Write(bytes.substr(0, bytes.size() - 3)), 10);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kDataLoss);

  auto too_many = ReadTfRecords(Write(bytes), 1);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseTfRecords, LengthPastTheDataIsDataLossNotAnAllocation) {
  // A header claiming 2^63 bytes, with a valid checksum of that claim.
  const std::string length = Le(uint64_t{1} << 63, 8);
  const std::string bytes = length + Le(crc32c::Mask(crc32c::Value(length)), 4) + "abcd";
  auto records = ParseTfRecords(bytes, "warmup", 10);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(records.status().message().find("'warmup' record 0: truncated data"), std::string::npos)
      << records.status().message();
}

}  // namespace
}  // namespace tern
