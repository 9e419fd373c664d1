#include <gtest/gtest.h>
#include <zlib.h>

#include "server/grpc_server.h"
#include "server/gzip.h"

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

TEST(ChannelArguments, IntsAsIntsOthersAsStrings) {
  auto args = ParseChannelArguments("grpc.max_connection_age_ms=2000,grpc.primary_user_agent=tern,");
  ASSERT_TRUE(args.ok());
  ASSERT_EQ(args->size(), 2u);
  EXPECT_EQ((*args)[0].first, "grpc.max_connection_age_ms");
  EXPECT_EQ(std::get<int>((*args)[0].second), 2000);
  EXPECT_EQ(std::get<std::string>((*args)[1].second), "tern");
  auto bad = ParseChannelArguments("novalue");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("novalue"), std::string::npos);
  // Too big for int32: passed as a string, as TF Serving does.
  EXPECT_TRUE(std::holds_alternative<std::string>((*ParseChannelArguments("a=99999999999"))[0].second));
}

}  // namespace
}  // namespace tern
