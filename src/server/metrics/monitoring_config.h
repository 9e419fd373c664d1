// Where the Prometheus page is served, from TF Serving's --monitoring_config_file (text-format
// MonitoringConfig). Unlike TF Serving, metrics are on without a file. Pure; thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace tern {

inline constexpr std::string_view kTfServingMetricsPath = "/monitoring/prometheus/metrics";

struct MonitoringOptions {
  // Empty: metrics are off.
  std::vector<std::string> metrics_paths;
};

// No file: on, at /monitoring/prometheus/metrics and /metrics. A file with
// prometheus_config { enable: true path: "/p" }: on at /p (default: TF Serving's path) and
// /metrics. A file without enable: true turns metrics off, as in TF Serving.
StatusOr<MonitoringOptions> LoadMonitoringConfig(const std::string& file_path);
StatusOr<MonitoringOptions> ParseMonitoringConfig(const std::string& text,
                                                  const std::string& source_name);

}  // namespace tern
