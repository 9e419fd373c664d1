#include "server/http/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace tern {
namespace {

std::string Gzip(const std::string& data) {
  z_stream s{};
  deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, data.size()) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

TEST(Gzip, DecodesAndBoundsTheDecodedSize) {
  const std::string body(200000, 'a');
  auto decoded = GunzipBody(Gzip(body), 1 << 20);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, body);
  auto bomb = GunzipBody(Gzip(body), 1000);
  ASSERT_FALSE(bomb.ok());
  EXPECT_EQ(bomb.status().code(), StatusCode::kResourceExhausted);
  std::string truncated = Gzip(body);
  truncated.resize(truncated.size() / 2);
  EXPECT_EQ(GunzipBody(truncated, 1 << 20).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GunzipBody("not gzip at all", 1 << 20).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tern
