#include "server/grpc/grpc_server.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace tern {
namespace {

TEST(ChannelArguments, IntsAsIntsOthersAsStrings) {
  auto args =
      ParseChannelArguments("grpc.max_connection_age_ms=2000,grpc.primary_user_agent=tern,");
  ASSERT_TRUE(args.ok());
  ASSERT_EQ(args->size(), 2u);
  EXPECT_EQ((*args)[0].first, "grpc.max_connection_age_ms");
  EXPECT_EQ(std::get<int>((*args)[0].second), 2000);
  EXPECT_EQ(std::get<std::string>((*args)[1].second), "tern");
  auto bad = ParseChannelArguments("novalue");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("novalue"), std::string::npos);
  // Too big for int32: passed as a string, as TF Serving does.
  EXPECT_TRUE(
      std::holds_alternative<std::string>((*ParseChannelArguments("a=99999999999"))[0].second));
}

}  // namespace
}  // namespace tern
