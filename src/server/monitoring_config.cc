#include "server/monitoring_config.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <sstream>

#include "serving/monitoring_config.pb.h"

namespace tern {
namespace {

class CollectErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!first_.empty()) return;
    first_ = "line " + std::to_string(line + 1) + ", column " + std::to_string(column + 1) +
             ": " + message;
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

}  // namespace

StatusOr<MonitoringOptions> ParseMonitoringConfig(const std::string& text,
                                                  const std::string& source_name) {
  tensorflow::serving::MonitoringConfig config;
  google::protobuf::TextFormat::Parser parser;
  CollectErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &config)) {
    return InvalidArgument("monitoring config " + source_name + " is not a text-format " +
                           "MonitoringConfig: " + errors.first() +
                           " (expected e.g. prometheus_config { enable: true })");
  }
  MonitoringOptions out;
  if (!config.prometheus_config().enable()) return out;
  std::string path = config.prometheus_config().path();
  if (path.empty()) path = std::string(kTfServingMetricsPath);
  if (path[0] != '/') {
    return InvalidArgument("monitoring config " + source_name + ": prometheus_config.path '" +
                           path + "' must start with '/'");
  }
  out.metrics_paths.push_back(path);
  if (path != "/metrics") out.metrics_paths.push_back("/metrics");
  return out;
}

StatusOr<MonitoringOptions> LoadMonitoringConfig(const std::string& file_path) {
  if (file_path.empty()) {
    return MonitoringOptions{{std::string(kTfServingMetricsPath), "/metrics"}};
  }
  std::ifstream in(file_path);
  if (!in) return NotFound("cannot read --monitoring_config_file '" + file_path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return ParseMonitoringConfig(text.str(), "'" + file_path + "'");
}

}  // namespace tern
