#include "loader/model_config.h"

#include <gtest/gtest.h>

namespace tern {
namespace {

TEST(AspiredVersionsTest, LatestAllSpecific) {
  const std::set<int64_t> disk = {1, 2, 5, 7};
  VersionPolicy latest;
  EXPECT_EQ(AspiredVersions(latest, disk), (std::set<int64_t>{7}));
  latest.num_versions = 3;
  EXPECT_EQ(AspiredVersions(latest, disk), (std::set<int64_t>{2, 5, 7}));
  VersionPolicy all;
  all.kind = VersionPolicy::Kind::kAll;
  EXPECT_EQ(AspiredVersions(all, disk), disk);
  VersionPolicy specific;
  specific.kind = VersionPolicy::Kind::kSpecific;
  specific.versions = {2, 3};
  EXPECT_EQ(AspiredVersions(specific, disk), (std::set<int64_t>{2}));
  EXPECT_TRUE(AspiredVersions(latest, {}).empty());
}

TEST(ModelConfigTest, ParsesTfServingTextFormat) {
  auto configs = ParseModelConfigText(R"(
    model_config_list {
      config {
        name: "a" base_path: "/models/a" model_platform: "tensorflow"
        model_version_policy { specific { versions: 42 versions: 43 } }
        version_labels { key: "stable" value: 42 }
        version_labels { key: "canary" value: 43 }
      }
      config { name: "b" base_path: "/models/b" model_version_policy { all {} } }
      config { name: "c" base_path: "/models/c" model_version_policy { latest { num_versions: 2 } } }
      config { name: "d" base_path: "/models/d" }
    })",
                                      "test");
  ASSERT_TRUE(configs.ok()) << configs.status().message();
  ASSERT_EQ(configs->size(), 4u);
  const auto& a = (*configs)[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.base_path, "/models/a");
  EXPECT_EQ(a.policy.kind, VersionPolicy::Kind::kSpecific);
  EXPECT_EQ(a.policy.versions, (std::set<int64_t>{42, 43}));
  EXPECT_EQ(a.version_labels, (std::map<std::string, int64_t>{{"stable", 42}, {"canary", 43}}));
  EXPECT_EQ((*configs)[1].policy.kind, VersionPolicy::Kind::kAll);
  EXPECT_EQ((*configs)[2].policy.num_versions, 2);
  EXPECT_EQ((*configs)[3].policy.kind, VersionPolicy::Kind::kLatest);
  EXPECT_EQ((*configs)[3].policy.num_versions, 1);
}

TEST(ModelConfigTest, TfServingsLoggingConfigParses) {
  auto configs = ParseModelConfigText(
      "model_config_list { config { name: \"a\" base_path: \"/m\" logging_config {\n"
      "  log_collector_config { type: \"\" filename_prefix: \"/tmp/log\" }\n"
      "  sampling_config { sampling_rate: 0.1 }\n} } }",
      "f.config");
  ASSERT_TRUE(configs.ok()) << configs.status().message();
  EXPECT_EQ(configs->front().name, "a");
}

TEST(ModelConfigTest, ParseErrorNamesLineAndColumn) {
  auto configs =
      ParseModelConfigText("model_config_list {\n  config { nme: \"a\" }\n}", "f.config");
  ASSERT_FALSE(configs.ok());
  EXPECT_EQ(configs.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(configs.status().message().find("f.config"), std::string::npos);
  EXPECT_NE(configs.status().message().find(
                "Error parsing text-format tensorflow.serving.ModelServerConfig: 2:"),
            std::string::npos)
      << configs.status().message();
  EXPECT_NE(configs.status().message().find("nme"), std::string::npos);
}

TEST(ModelConfigTest, RejectsInvalidConfigs) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(model_config_list { config { base_path: "/x" } })", "name is empty"},
      {R"(model_config_list { config { name: "a" } })", "base_path is empty"},
      {R"(model_config_list { config { name: "a" base_path: "/x" }
                              config { name: "a" base_path: "/y" } })",
       "earlier model"},
      {R"(model_config_list { config { name: "a" base_path: "/x" model_platform: "pytorch" } })",
       "pytorch"},
      {R"(model_config_list { config { name: "a" base_path: "/x"
                              model_version_policy { specific {} } } })",
       "no versions"},
      {R"(model_config_list { config { name: "a" base_path: "/x"
                              version_labels { key: "s" value: 0 } } })",
       "label 's'"},
  };
  for (const auto& [text, expected] : cases) {
    auto configs = ParseModelConfigText(text, "t");
    ASSERT_FALSE(configs.ok()) << text;
    EXPECT_EQ(configs.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(configs.status().message().find(expected), std::string::npos)
        << configs.status().message();
  }
}

TEST(ModelConfigTest, MissingFileIsNotFound) {
  auto configs = ReadModelConfigFile("/nonexistent/models.config");
  ASSERT_FALSE(configs.ok());
  EXPECT_EQ(configs.status().code(), StatusCode::kNotFound);
}

TEST(ModelConfigTest, TfServingBadConfigFileIsRejected) {
  auto configs = ReadModelConfigFile(std::string(TERN_SHARED_DIR) +
                                     "/testdata/tf_serving/bad_model_config.txt");
  ASSERT_FALSE(configs.ok());
  EXPECT_EQ(configs.status().code(), StatusCode::kInvalidArgument);
}

TEST(ModelConfigTest, TernScaleFieldsDefaultToAlwaysLoadedAndParse) {
  auto defaults =
      ParseModelConfigText(R"(model_config_list { config { name: "a" base_path: "/x" } })", "t");
  ASSERT_TRUE(defaults.ok()) << defaults.status().message();
  EXPECT_EQ(defaults->at(0).min_instances, 1);
  EXPECT_EQ(defaults->at(0).max_instances, 0);
  EXPECT_EQ(defaults->at(0).idle_unload_seconds, 0);
  auto scaled = ParseModelConfigText(R"(model_config_list { config { name: "a" base_path: "/x"
      min_instances: 0 max_instances: 3 idle_unload_seconds: 60 } })",
                                     "t");
  ASSERT_TRUE(scaled.ok()) << scaled.status().message();
  EXPECT_EQ(scaled->at(0).min_instances, 0);
  EXPECT_EQ(scaled->at(0).max_instances, 3);
  EXPECT_EQ(scaled->at(0).idle_unload_seconds, 60);
  auto single = SingleModelConfig({"m", "/x", 0, 2, 30, ""});
  ASSERT_TRUE(single.ok()) << single.status().message();
  EXPECT_EQ(single->min_instances, 0);
  EXPECT_EQ(single->idle_unload_seconds, 30);
}

TEST(ModelConfigTest, RejectsBadTernScaleFields) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(model_config_list { config { name: "a" base_path: "/x" min_instances: -1 } })",
       "min_instances is -1"},
      {R"(model_config_list { config { name: "a" base_path: "/x" max_instances: -2 } })",
       "max_instances is -2"},
      {R"(model_config_list { config { name: "a" base_path: "/x" min_instances: 3
                              max_instances: 2 } })",
       "above max_instances"},
      {R"(model_config_list { config { name: "a" base_path: "/x" idle_unload_seconds: 5 } })",
       "needs min_instances: 0"},
  };
  for (const auto& [text, expected] : cases) {
    auto configs = ParseModelConfigText(text, "t");
    ASSERT_FALSE(configs.ok()) << text;
    EXPECT_EQ(configs.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(configs.status().message().find(expected), std::string::npos)
        << configs.status().message();
  }
  auto flags = SingleModelConfig({"m", "/x", 1, 0, 30, ""});
  ASSERT_FALSE(flags.ok());
  EXPECT_NE(flags.status().message().find("flags"), std::string::npos) << flags.status().message();
}

TEST(ModelConfigTest, RuntimeFieldParsesAndRejectsUnknownNames) {
  auto configs = ParseModelConfigText(R"(model_config_list {
      config { name: "a" base_path: "/x" }
      config { name: "b" base_path: "/y" runtime: "tern" }
      config { name: "c" base_path: "/z" runtime: "tensorflow" } })",
                                      "t");
  ASSERT_TRUE(configs.ok()) << configs.status().message();
  EXPECT_EQ(configs->at(0).runtime, RuntimeChoice::kAuto);
  EXPECT_EQ(configs->at(1).runtime, RuntimeChoice::kTern);
  EXPECT_EQ(configs->at(2).runtime, RuntimeChoice::kTensorflow);
  auto bad = ParseModelConfigText(
      R"(model_config_list { config { name: "a" base_path: "/x" runtime: "onnx" } })", "t");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("runtime 'onnx' is not one of auto, tern, tensorflow"),
            std::string::npos)
      << bad.status().message();
  auto single = SingleModelConfig({"m", "/x", 1, 0, 0, "tensorflow"});
  ASSERT_TRUE(single.ok()) << single.status().message();
  EXPECT_EQ(single->runtime, RuntimeChoice::kTensorflow);
}

}  // namespace
}  // namespace tern
