#include "runtime/format/table_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "bundle_test_writer.h"

namespace tern {
namespace {

using testing::BuildTable;
using ::testing::HasSubstr;
using testing::KeyValues;
using testing::TableOptions;

KeyValues ManyEntries(int n) {
  KeyValues kv;
  for (int i = 0; i < n; ++i) {
    char key[64];
    std::snprintf(key, sizeof(key), "layer_%05d/dense/kernel", i);
    kv.emplace_back(key, "value-" + std::to_string(i * 7919));
  }
  return kv;
}

void ExpectEntries(const std::vector<TableEntry>& got, const KeyValues& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].key, want[i].first);
    EXPECT_EQ(got[i].value, want[i].second);
  }
}

TEST(TableReaderTest, ReadsManyBlocksWithPrefixCompressionAndRestarts) {
  const KeyValues kv = ManyEntries(1000);
  TableOptions options;
  options.block_size = 512;
  options.restart_interval = 3;
  const std::string table = BuildTable(kv, options);
  auto entries = ParseTable(table, "t.index");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ExpectEntries(*entries, kv);
}

TEST(TableReaderTest, ReadsSnappyBlocks) {
  const KeyValues kv = ManyEntries(300);
  TableOptions options;
  options.block_size = 1024;
  options.data_compression = kSnappyCompression;
  options.index_compression = kSnappyCompression;
  auto entries = ParseTable(BuildTable(kv, options), "t.index");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ExpectEntries(*entries, kv);
}

TEST(TableReaderTest, ReadsEmptyTableAndEmptyKeysAndValues) {
  auto empty = ParseTable(BuildTable({}), "t.index");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());
  const KeyValues kv = {{"", ""}, {"a", ""}, {"b", std::string(100000, 'x')}};
  auto entries = ParseTable(BuildTable(kv), "t.index");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ExpectEntries(*entries, kv);
}

// TensorFlow 1.x wrote this index with a snappy-compressed data block.
TEST(TableReaderTest, ReadsTensorFlowWrittenIndex) {
  auto entries = ReadTableFile(std::string(TERN_SHARED_DIR) +
                               "/testdata/tf_serving/saved_model_half_plus_two_cpu/00000123/"
                               "variables/variables.index");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  std::vector<std::string> keys;
  for (const auto& e : *entries) keys.push_back(e.key);
  EXPECT_THAT(keys, ::testing::ElementsAre("", "a", "a2", "b", "c", "c2"));
}

TEST(TableReaderTest, RejectsUnknownCompressionType) {
  // A well-formed table whose data block claims compression type 2 (zlib in RocksDB),
  // with a valid checksum, so only the type is wrong.
  std::string block = testing::BuildBlock({{"a", "1"}}, 16);
  std::string file;
  const std::string data_handle = testing::AppendBlock(block, 2, &file);
  const std::string meta_handle = testing::AppendBlock(testing::BuildBlock({}, 16), 0, &file);
  const std::string index_handle =
      testing::AppendBlock(testing::BuildBlock({{"a", data_handle}}, 1), 0, &file);
  std::string footer = meta_handle + index_handle;
  footer.resize(kTableFooterSize - 8, '\0');
  testing::PutFixed64(kTableMagicNumber, &footer);
  auto entries = ParseTable(file + footer, "odd.index");
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(entries.status().message(), HasSubstr("odd.index"));
  EXPECT_THAT(entries.status().message(), HasSubstr("compression type 2"));
}

TEST(TableReaderTest, EveryFlippedBlockByteIsCaught) {
  TableOptions options;
  options.block_size = 64;
  const std::string table = BuildTable(ManyEntries(20), options);
  for (size_t i = 0; i < table.size() - kTableFooterSize; ++i) {
    std::string damaged = table;
    damaged[i] ^= 0x20;
    auto entries = ParseTable(damaged, "t.index");
    ASSERT_FALSE(entries.ok()) << "flipped byte " << i;
    EXPECT_EQ(entries.status().code(), StatusCode::kDataLoss) << i;
    EXPECT_THAT(entries.status().message(), HasSubstr("t.index")) << i;
  }
}

TEST(TableReaderTest, ChecksumErrorNamesTheBlock) {
  std::string table = BuildTable({{"a", "1"}, {"b", "2"}});
  table[3] ^= 1;  // inside the first (data) block
  auto entries = ParseTable(table, "/x/variables.index");
  ASSERT_FALSE(entries.ok());
  EXPECT_THAT(entries.status().message(), HasSubstr("/x/variables.index"));
  EXPECT_THAT(entries.status().message(), HasSubstr("data block 0 at offset 0"));
  EXPECT_THAT(entries.status().message(), HasSubstr("checksum mismatch"));
}

TEST(TableReaderTest, BadMagicAndTruncationAreDataLoss) {
  const std::string table = BuildTable(ManyEntries(50));
  std::string bad_magic = table;
  bad_magic[bad_magic.size() - 1] ^= 1;
  auto r = ParseTable(bad_magic, "t.index");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("magic"));
  for (size_t length = 0; length < table.size(); ++length) {
    auto truncated = ParseTable(std::string_view(table).substr(0, length), "t.index");
    ASSERT_FALSE(truncated.ok()) << length;
    EXPECT_EQ(truncated.status().code(), StatusCode::kDataLoss) << length;
  }
}

TEST(TableReaderTest, RejectsRestartPointInsideAnEntry) {
  TableOptions options;
  options.mutate_data_block = [](std::string* block) {
    // The single restart offset (0) becomes 1, the middle of the first entry.
    (*block)[block->size() - 8] = 1;
  };
  auto entries = ParseTable(BuildTable({{"a", "1"}, {"b", "2"}}, options), "t.index");
  ASSERT_FALSE(entries.ok());
  EXPECT_THAT(entries.status().message(), HasSubstr("restart point"));
}

TEST(TableReaderTest, RejectsKeysOutOfOrder) {
  auto entries = ParseTable(BuildTable({{"b", "1"}, {"a", "2"}}), "t.index");
  ASSERT_FALSE(entries.ok());
  EXPECT_THAT(entries.status().message(), HasSubstr("out of order"));
}

TEST(TableReaderTest, MissingFileIsNotFound) {
  auto entries = ReadTableFile("/nonexistent/dir/variables.index");
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(entries.status().message(), HasSubstr("/nonexistent/dir/variables.index"));
}

}  // namespace
}  // namespace tern
