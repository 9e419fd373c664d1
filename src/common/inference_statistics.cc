#include "common/inference_statistics.h"

#include <chrono>

namespace tern {

void RunTimings::Add(const InferenceTimings& t) {
  queue_ns.fetch_add(t.queue_ns, std::memory_order_relaxed);
  compute_input_ns.fetch_add(t.compute_input_ns, std::memory_order_relaxed);
  compute_infer_ns.fetch_add(t.compute_infer_ns, std::memory_order_relaxed);
  compute_output_ns.fetch_add(t.compute_output_ns, std::memory_order_relaxed);
}

InferenceTimings RunTimings::Load() const {
  return {queue_ns.load(std::memory_order_relaxed),
          compute_input_ns.load(std::memory_order_relaxed),
          compute_infer_ns.load(std::memory_order_relaxed),
          compute_output_ns.load(std::memory_order_relaxed)};
}

void StatDuration::Add(int64_t duration_ns) {
  ++count;
  ns += static_cast<uint64_t>(duration_ns > 0 ? duration_ns : 0);
}

void InferenceStatistics::RecordRequest(std::string_view model, int64_t version, bool ok,
                                        int64_t duration_ns, const InferenceTimings& timings,
                                        int64_t rows) {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stats_.find(model);
  if (it == stats_.end())
    it = stats_.emplace(std::string(model), std::map<int64_t, VersionStatistics>()).first;
  VersionStatistics& s = it->second[version];
  s.last_inference_ms = static_cast<uint64_t>(now_ms);
  if (!ok) {
    // As Triton: a failed request counts in `fail` only; its phases are not charged.
    s.fail.Add(duration_ns);
    return;
  }
  s.success.Add(duration_ns);
  s.inference_count += static_cast<uint64_t>(rows > 0 ? rows : 1);
  s.queue.Add(timings.queue_ns);
  s.compute_input.Add(timings.compute_input_ns);
  s.compute_infer.Add(timings.compute_infer_ns);
  s.compute_output.Add(timings.compute_output_ns);
}

void InferenceStatistics::RecordExecution(std::string_view model, int64_t version,
                                          int64_t batch_size, const InferenceTimings& timings) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stats_.find(model);
  if (it == stats_.end())
    it = stats_.emplace(std::string(model), std::map<int64_t, VersionStatistics>()).first;
  VersionStatistics& s = it->second[version];
  ++s.execution_count;
  BatchStatistics& b = s.batch_stats[batch_size];
  b.compute_input.Add(timings.compute_input_ns);
  b.compute_infer.Add(timings.compute_infer_ns);
  b.compute_output.Add(timings.compute_output_ns);
}

VersionStatistics InferenceStatistics::Get(std::string_view model, int64_t version) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stats_.find(model);
  if (it == stats_.end()) return {};
  auto v = it->second.find(version);
  return v == it->second.end() ? VersionStatistics{} : v->second;
}

}  // namespace tern
