#include "runtime/format/bundle_coding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <string>
#include <vector>

namespace tern::bundle_coding {
namespace {

using namespace std::literals;

TEST(VarintTest, DecodesAndAdvances) {
  std::string_view in("\x00\x7f\x80\x01\xff\xff\xff\xff\x0f\x05"sv);
  uint64_t v = 0;
  ASSERT_TRUE(GetVarint64(&in, &v));
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(GetVarint64(&in, &v));
  EXPECT_EQ(v, 127u);
  ASSERT_TRUE(GetVarint64(&in, &v));
  EXPECT_EQ(v, 128u);
  uint32_t v32 = 0;
  ASSERT_TRUE(GetVarint32(&in, &v32));
  EXPECT_EQ(v32, 0xffffffffu);
  EXPECT_EQ(in, "\x05");
}

TEST(VarintTest, Largest64BitValue) {
  std::string_view in("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"sv);
  uint64_t v = 0;
  ASSERT_TRUE(GetVarint64(&in, &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_TRUE(in.empty());
}

TEST(VarintTest, RejectsTruncatedAndOverlongInput) {
  uint64_t v = 0;
  std::string_view truncated("\x80\x80"sv);
  EXPECT_FALSE(GetVarint64(&truncated, &v));
  EXPECT_EQ(truncated.size(), 2u);  // not consumed
  std::string_view empty;
  EXPECT_FALSE(GetVarint64(&empty, &v));
  std::string_view too_long("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02"sv);
  EXPECT_FALSE(GetVarint64(&too_long, &v));
  uint32_t v32 = 0;
  std::string_view over32("\x80\x80\x80\x80\x10"sv);  // 2^32
  EXPECT_FALSE(GetVarint32(&over32, &v32));
}

TEST(FixedTest, LittleEndian) {
  const char bytes[] = "\x01\x02\x03\x04\x05\x06\x07\x08";
  EXPECT_EQ(DecodeFixed32(bytes), 0x04030201u);
  EXPECT_EQ(DecodeFixed64(bytes), 0x0807060504030201ull);
}

// Keys copied from a bundle TensorFlow 2.15 wrote for a tf.compat.v1 partitioned variable.
TEST(SliceKeyTest, MatchesTensorFlowKeys) {
  EXPECT_EQ(EncodeTensorSliceKey("part", {{0, 3}, {0, 3}}),
            "\x00part\x00\x01\x01\x02\x80\x83\x80\x83"s);
  EXPECT_EQ(EncodeTensorSliceKey("part", {{5, 2}, {0, 3}}),
            "\x00part\x00\x01\x01\x02\x85\x82\x80\x83"s);
  // Values from 64 up take two bytes.
  EXPECT_EQ(EncodeTensorSliceKey("part_i8", {{100, 100}, {0, 1}}),
            "\x00part_i8\x00\x01\x01\x02\xc0\x64\xc0\x64\x80\x81"s);
  EXPECT_EQ(EncodeTensorSliceKey("part_i8", {{200, 100}, {0, 1}}),
            "\x00part_i8\x00\x01\x01\x02\xc0\xc8\xc0\x64\x80\x81"s);
  EXPECT_EQ(EncodeTensorSliceKey("part_str", {{3, 2}}), "\x00part_str\x00\x01\x01\x01\x83\x82"s);
  // A whole dimension is written as length -1.
  EXPECT_EQ(EncodeTensorSliceKey("v", {{0, std::nullopt}}), "\x00v\x00\x01\x01\x01\x80\x7f"s);
}

TEST(SliceKeyTest, EscapesNameBytes) {
  const std::string name = "a\x00z\xff"s;
  const std::string key = EncodeTensorSliceKey(name, {});
  EXPECT_EQ(key,
            "\x00"
            "a\x00\xffz\xff\x00\x00\x01\x00"s);
  const auto decoded = DecodeTensorSliceKey(key);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->name, name);
  EXPECT_TRUE(decoded->extents.empty());
}

std::vector<int64_t> InterestingNumbers() {
  std::vector<int64_t> values = {INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1, 0, 1, -1};
  for (int bits = 1; bits < 63; ++bits) {
    const int64_t p = int64_t{1} << bits;
    for (int64_t v : {p - 1, p, p + 1}) {
      values.push_back(v);
      values.push_back(-v);
    }
  }
  return values;
}

TEST(SliceKeyTest, SignedNumbersRoundTrip) {
  for (int64_t v : InterestingNumbers()) {
    const std::string key = EncodeTensorSliceKey("x", {{v, v}});
    const auto decoded = DecodeTensorSliceKey(key);
    ASSERT_TRUE(decoded.has_value()) << v;
    ASSERT_EQ(decoded->extents.size(), 1u);
    EXPECT_EQ(decoded->extents[0].start, v);
    if (v == -1) {
      EXPECT_FALSE(decoded->extents[0].length.has_value());
    } else {
      EXPECT_EQ(decoded->extents[0].length, v);
    }
  }
}

// The point of OrderedCode: byte order of encodings equals numeric order. This pins down the
// length headers and sign handling across every length boundary.
TEST(SliceKeyTest, EncodingPreservesOrder) {
  std::vector<int64_t> values = InterestingNumbers();
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (size_t i = 1; i < values.size(); ++i) {
    const std::string a = EncodeTensorSliceKey("x", {{values[i - 1], 0}});
    const std::string b = EncodeTensorSliceKey("x", {{values[i], 0}});
    EXPECT_LT(a, b) << values[i - 1] << " vs " << values[i];
  }
}

TEST(SliceKeyTest, DecodesMultiDimensionalKeys) {
  const std::vector<SliceExtent> extents = {{3, 2}, {0, std::nullopt}, {70000, 12345678}};
  const auto decoded = DecodeTensorSliceKey(EncodeTensorSliceKey("layer/kernel", extents));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->name, "layer/kernel");
  ASSERT_EQ(decoded->extents.size(), 3u);
  EXPECT_EQ(decoded->extents[0].start, 3);
  EXPECT_EQ(decoded->extents[0].length, 2);
  EXPECT_EQ(decoded->extents[1].length, std::nullopt);
  EXPECT_EQ(decoded->extents[2].start, 70000);
  EXPECT_EQ(decoded->extents[2].length, 12345678);
}

TEST(SliceKeyTest, RejectsOtherKeys) {
  EXPECT_FALSE(DecodeTensorSliceKey("a/.ATTRIBUTES/VARIABLE_VALUE").has_value());
  EXPECT_FALSE(DecodeTensorSliceKey("").has_value());
  EXPECT_FALSE(DecodeTensorSliceKey("\x00part"s).has_value());                      // no end
  EXPECT_FALSE(DecodeTensorSliceKey("\x00part\x00\x01\x01\x02\x80"s).has_value());  // short
  EXPECT_FALSE(DecodeTensorSliceKey("\x00p\x00\x01\x00junk"s).has_value());         // trailing
}

}  // namespace
}  // namespace tern::bundle_coding
