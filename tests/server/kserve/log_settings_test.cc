#include "server/kserve/log_settings.h"

#include <gtest/gtest.h>

#include "common/logging.h"

namespace tern {
namespace {

TEST(LogSettings, MapOntoTernsLoggingAllOrNothing) {
  const LogSettings before = GetLogSettings();
  auto current = CurrentLogSettings();
  EXPECT_EQ(std::get<bool>(current["log_info"]), true);
  EXPECT_EQ(std::get<std::string>(current["log_file"]), "");

  ASSERT_TRUE(UpdateLogSettings({{"log_verbose_level", uint32_t{2}},
                                 {"log_format", std::string("ISO8601")},
                                 {"log_warning", false}})
                  .ok());
  EXPECT_TRUE(VerboseLogOn(2));
  EXPECT_FALSE(VerboseLogOn(3));
  EXPECT_EQ(GetLogSettings().format, LogFormat::kIso8601);
  EXPECT_FALSE(GetLogSettings().warning);

  Status wrong_type = UpdateLogSettings({{"log_info", std::string("yes")}});
  EXPECT_NE(wrong_type.message().find("'log_info' must be a boolean, got a string"),
            std::string::npos);
  Status file = UpdateLogSettings({{"log_error", false}, {"log_file", std::string("/tmp/l")}});
  EXPECT_NE(file.message().find("stderr only"), std::string::npos);
  EXPECT_TRUE(GetLogSettings().error);  // nothing applied
  EXPECT_FALSE(UpdateLogSettings({{"log_format", std::string("json")}}).ok());
  EXPECT_FALSE(UpdateLogSettings({{"verbosity", uint32_t{1}}}).ok());
  SetLogSettings(before);
}

}  // namespace
}  // namespace tern
