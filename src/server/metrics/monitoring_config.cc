#include "server/metrics/monitoring_config.h"

#include "common/proto_text_file.h"
#include "serving/monitoring_config.pb.h"

namespace tern {

StatusOr<MonitoringOptions> ParseMonitoringConfig(const std::string& text,
                                                  const std::string& source_name) {
  tensorflow::serving::MonitoringConfig config;
  if (Status parsed = ParseProtoText(text, &config); !parsed.ok()) {
    return InvalidArgument("monitoring config " + source_name + " is not a text-format " +
                           "MonitoringConfig: " + parsed.message() +
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
  auto text = ReadTextFile(file_path);
  if (!text.ok()) return NotFound("cannot read --monitoring_config_file '" + file_path + "'");
  return ParseMonitoringConfig(*text, "'" + file_path + "'");
}

}  // namespace tern
