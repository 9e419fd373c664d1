// Scrape-time metric sources: what the process and the model manager look like right now.
// Both are read-only and thread-safe; the ModelManager is not owned and must outlive the
// collector.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>

#include "loader/model_manager.h"

namespace tern {

// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds, process_threads, read from
// procfs. A missing or unreadable file drops its series instead of failing the scrape.
class ProcessCollector : public prometheus::Collectable {
 public:
  struct Options {
    std::string proc_dir = "/proc";   // tests point this at a fake procfs
    std::string process = "self";     // <proc_dir>/<process>/stat, .../fd, .../limits
    long clock_ticks_per_second = 0;  // 0: sysconf(_SC_CLK_TCK)
    long page_size_bytes = 0;         // 0: sysconf(_SC_PAGESIZE)
  };
  static std::shared_ptr<ProcessCollector> Create(Options options);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  explicit ProcessCollector(Options options) : options_(std::move(options)) {}
  const Options options_;
};

// The tensor memory accounting (runtime/memory_account.h): tern_tensor_memory_bytes (live tensor
// buffers, model weights included), tern_tensor_memory_peak_bytes, tern_tensor_memory_budget_bytes
// {scope="process"|"request"} (0: no budget) and tern_tensor_allocations_refused_total.
class TensorMemoryCollector : public prometheus::Collectable {
 public:
  static std::shared_ptr<TensorMemoryCollector> Create();
  std::vector<prometheus::MetricFamily> Collect() const override;
};

// tern_model_versions{model,state}: how many versions of each model are in each state, from
// ModelManager::GetStatus. tern_model_instances{model}: loaded (AVAILABLE) versions, until the
// scale-from-zero work reports instances itself through Metrics::SetModelInstances.
// tern_model_memory_estimate_bytes{model}: tensor bytes its loaded versions hold (0 at zero),
// measured at load; what --model_memory_budget_mb and --memory_limit_mb count for it.
// tern_model_runtime{model,version,runtime,reason}: 1 per loaded version, naming its runtime.
class ModelStateCollector : public prometheus::Collectable {
 public:
  struct Options {
    const ModelManager* manager = nullptr;
    bool report_instances = true;
  };
  static std::shared_ptr<ModelStateCollector> Create(Options options);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  explicit ModelStateCollector(Options options) : options_(options) {}
  const Options options_;
};

}  // namespace tern
