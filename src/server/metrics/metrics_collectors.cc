#include "server/metrics/metrics_collectors.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "runtime/memory_account.h"

namespace tern {
namespace {

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily family{std::move(name), std::move(help), type, {}};
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
  return family;
}

// The fields after "(comm)" in /proc/<pid>/stat; comm may hold spaces and parentheses, so
// split after the last ')'. Field N of proc(5) (1-based) is at index N-3.
std::vector<std::string> StatFields(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return {};
  auto close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

bool ParseDouble(const std::vector<std::string>& fields, size_t field_number, double* out) {
  const size_t index = field_number - 3;
  if (index >= fields.size()) return false;
  try {
    *out = std::stod(fields[index]);
    return true;
  } catch (...) {
    return false;
  }
}

bool ReadBootTime(const std::string& proc_dir, double* out) {
  std::ifstream in(proc_dir + "/stat");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("btime ", 0) == 0) {
      try {
        *out = std::stod(line.substr(6));
        return true;
      } catch (...) {
        return false;
      }
    }
  }
  return false;
}

bool ReadMaxOpenFiles(const std::string& path, double* out) {
  std::ifstream in(path);
  constexpr std::string_view kLabel = "Max open files";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(kLabel, 0) != 0) continue;
    std::istringstream rest(line.substr(kLabel.size()));
    std::string soft;
    rest >> soft;
    if (soft == "unlimited") return false;
    try {
      *out = std::stod(soft);
      return true;
    } catch (...) {
      return false;
    }
  }
  return false;
}

}  // namespace

std::shared_ptr<ProcessCollector> ProcessCollector::Create(Options options) {
  if (options.clock_ticks_per_second <= 0) options.clock_ticks_per_second = sysconf(_SC_CLK_TCK);
  if (options.page_size_bytes <= 0) options.page_size_bytes = sysconf(_SC_PAGESIZE);
  return std::shared_ptr<ProcessCollector>(new ProcessCollector(std::move(options)));
}

std::shared_ptr<TensorMemoryCollector> TensorMemoryCollector::Create() {
  return std::make_shared<TensorMemoryCollector>();
}

std::vector<prometheus::MetricFamily> TensorMemoryCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  out.push_back(Family("tern_tensor_memory_bytes",
                       "Bytes of live tensor buffers: model weights and requests' tensors.",
                       MetricType::Gauge, static_cast<double>(TensorMemory::InUseBytes())));
  out.push_back(Family("tern_tensor_memory_peak_bytes", "Most tensor bytes live at once.",
                       MetricType::Gauge, static_cast<double>(TensorMemory::PeakBytes())));
  prometheus::MetricFamily budget{"tern_tensor_memory_budget_bytes",
                                  "Tensor memory budgets (0: none): the process's "
                                  "(--memory_limit_mb) and each request's "
                                  "(--max_request_memory_mb).",
                                  MetricType::Gauge,
                                  {}};
  for (const auto& [scope, bytes] :
       {std::pair<const char*, int64_t>{"process", TensorMemory::ProcessLimitBytes()},
        std::pair<const char*, int64_t>{"request", TensorMemory::RunLimitBytes()}}) {
    prometheus::ClientMetric metric;
    metric.label.push_back({"scope", scope});
    metric.gauge.value = static_cast<double>(bytes);
    budget.metric.push_back(std::move(metric));
  }
  out.push_back(std::move(budget));
  out.push_back(Family("tern_tensor_allocations_refused_total",
                       "Tensor allocations refused for a memory budget (the request got "
                       "RESOURCE_EXHAUSTED).",
                       MetricType::Counter,
                       static_cast<double>(TensorMemory::RefusedAllocations())));
  return out;
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  const std::string dir = options_.proc_dir + "/" + options_.process;
  const double ticks = static_cast<double>(options_.clock_ticks_per_second);
  std::vector<prometheus::MetricFamily> out;
  const auto stat = StatFields(dir + "/stat");
  double utime = 0, stime = 0, threads = 0, start_ticks = 0, vsize = 0, rss_pages = 0, boot = 0;
  if (ParseDouble(stat, 14, &utime) && ParseDouble(stat, 15, &stime)) {
    out.push_back(Family("process_cpu_seconds_total", "User and system CPU time, seconds.",
                         MetricType::Counter, (utime + stime) / ticks));
  }
  if (ParseDouble(stat, 24, &rss_pages)) {
    out.push_back(Family("process_resident_memory_bytes", "Resident memory size, bytes.",
                         MetricType::Gauge, rss_pages * options_.page_size_bytes));
  }
  if (ParseDouble(stat, 23, &vsize)) {
    out.push_back(Family("process_virtual_memory_bytes", "Virtual memory size, bytes.",
                         MetricType::Gauge, vsize));
  }
  if (ParseDouble(stat, 20, &threads)) {
    out.push_back(
        Family("process_threads", "OS threads in the process.", MetricType::Gauge, threads));
  }
  if (ParseDouble(stat, 22, &start_ticks) && ReadBootTime(options_.proc_dir, &boot)) {
    out.push_back(Family("process_start_time_seconds", "Start time since the epoch, seconds.",
                         MetricType::Gauge, boot + start_ticks / ticks));
  }
  std::error_code ec;
  std::filesystem::directory_iterator fds(dir + "/fd", ec);
  if (!ec) {
    double open = 0;
    for (auto it = fds; it != std::filesystem::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      ++open;
    }
    if (!ec) {
      out.push_back(Family("process_open_fds", "Open file descriptors.", MetricType::Gauge, open));
    }
  }
  double max_fds = 0;
  if (ReadMaxOpenFiles(dir + "/limits", &max_fds)) {
    out.push_back(
        Family("process_max_fds", "Limit on open file descriptors.", MetricType::Gauge, max_fds));
  }
  return out;
}

std::shared_ptr<ModelStateCollector> ModelStateCollector::Create(Options options) {
  return std::shared_ptr<ModelStateCollector>(new ModelStateCollector(options));
}

std::vector<prometheus::MetricFamily> ModelStateCollector::Collect() const {
  using prometheus::MetricType;
  prometheus::MetricFamily versions{
      "tern_model_versions", "Versions of each model in each state.", MetricType::Gauge, {}};
  prometheus::MetricFamily instances{
      "tern_model_instances", "Loaded, servable instances of a model.", MetricType::Gauge, {}};
  prometheus::MetricFamily memory{
      "tern_model_memory_estimate_bytes",
      "Tensor bytes a model's loaded versions hold (weights, constants, tables), as the memory "
      "budgets count them.",
      MetricType::Gauge,
      {}};
  prometheus::MetricFamily runtimes{
      "tern_model_runtime",
      "1 for each loaded version, labelled with the runtime that serves it (tern or tensorflow) "
      "and why (auto_all_ops, auto_unsupported_ops, configured).",
      MetricType::Gauge,
      {}};
  for (const std::string& model : options_.manager->ModelNames()) {
    prometheus::ClientMetric bytes;
    bytes.label = {{"model", model}};
    bytes.gauge.value = static_cast<double>(options_.manager->LoadedMemoryBytes(model));
    memory.metric.push_back(std::move(bytes));
    auto statuses = options_.manager->GetStatus(model);
    if (!statuses.ok()) continue;
    // Every state is reported, zeros included, so a version leaving a state shows as a drop.
    std::map<VersionState, int> counts;
    for (VersionState s : {VersionState::kStart, VersionState::kLoading, VersionState::kAvailable,
                           VersionState::kUnloading, VersionState::kEnd}) {
      counts[s] = 0;
    }
    for (const auto& s : *statuses) {
      ++counts[s.state];
      if (s.state != VersionState::kAvailable) continue;
      auto handle = options_.manager->PeekHandle(model, s.version);
      if (!handle.ok()) continue;
      const std::string& reason = (*handle)->runtime_reason;
      prometheus::ClientMetric r;
      r.label = {{"model", model},
                 {"version", std::to_string(s.version)},
                 {"runtime", (*handle)->model->runtime_name()},
                 {"reason", reason.rfind("auto: Tern has", 0) == 0 ? "auto_all_ops"
                            : reason.rfind("auto:", 0) == 0        ? "auto_unsupported_ops"
                                                                   : "configured"}};
      r.gauge.value = 1;
      runtimes.metric.push_back(std::move(r));
    }
    for (const auto& [state, count] : counts) {
      prometheus::ClientMetric m;
      m.label = {{"model", model}, {"state", std::string(VersionStateName(state))}};
      m.gauge.value = count;
      versions.metric.push_back(std::move(m));
    }
    prometheus::ClientMetric m;
    m.label = {{"model", model}};
    m.gauge.value = counts[VersionState::kAvailable];
    instances.metric.push_back(std::move(m));
  }
  std::vector<prometheus::MetricFamily> out{std::move(versions), std::move(memory),
                                            std::move(runtimes)};
  if (options_.report_instances) out.push_back(std::move(instances));
  return out;
}

}  // namespace tern
