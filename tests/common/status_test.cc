#include "common/status.h"

#include <gtest/gtest.h>

#include <string>

namespace tern {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Status UsesMacros(int x, int* out) {
  TERN_ASSIGN_OR_RETURN(int half, Half(x));
  TERN_RETURN_IF_ERROR(Status());
  *out = half;
  return Status();
}

TEST(StatusOrTest, ValueAndError) {
  EXPECT_EQ(Half(4).value(), 2);
  EXPECT_EQ(Half(3).status().code(), StatusCode::kInvalidArgument);
}

TEST(StatusOrTest, OkStatusWithoutValueBecomesInternal) {
  StatusOr<int> from_ok = Status();
  EXPECT_EQ(from_ok.status().code(), StatusCode::kInternal);
}

TEST(StatusOrTest, MacrosPropagate) {
  int out = 0;
  EXPECT_TRUE(UsesMacros(8, &out).ok());
  EXPECT_EQ(out, 4);
  EXPECT_EQ(UsesMacros(5, &out).code(), StatusCode::kInvalidArgument);
}

TEST(StatusOrDeathTest, ValueOfErrorTerminatesWithTheMessage) {
  EXPECT_DEATH((void)Half(3).value(), "odd: 3");
  StatusOr<std::string> bad = NotFound("no model");
  EXPECT_DEATH((void)bad->size(), "NOT_FOUND.*no model");
}

}  // namespace
}  // namespace tern
