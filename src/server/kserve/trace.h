// Triton's trace extension: trace settings (server-wide, and per model on top of them) and the
// trace file, in Triton's trace file format: a JSON array where each sampled request is an
// object {"id", "model_name", "model_version"} followed by {"id", "timestamps": [{"name", "ns"}]}
// with REQUEST_START, QUEUE_START, COMPUTE_START, COMPUTE_INPUT_END, COMPUTE_OUTPUT_START,
// COMPUTE_END and REQUEST_END (steady-clock nanoseconds), so Triton's trace tools read it.
//
// Settings, as Triton names them (every value a list of strings on the wire):
//   trace_level   ["OFF"] or ["TIMESTAMPS"] (TENSORS is refused: Tern records no tensors)
//   trace_rate    trace one request in every N (default 1000)
//   trace_count   traces left to take, -1 for no limit; counts down, and 0 stops tracing
//   log_frequency 0: keep traces in memory and write them to trace_file at shutdown; N: write
//                 every N traces to trace_file.<index> (index from 0)
//   trace_file    the --trace_file flag; not settable through the API (as in Triton: a client
//                 must not choose where the server writes)
//   trace_mode    "triton" (OpenTelemetry export is not implemented)
// Per model: trace_level, trace_rate and trace_count; a model setting of null (an empty list
// over gRPC) falls back to the server-wide one. Each model with its own settings samples and
// counts on its own, the others share the server-wide count.
// Thread-safe: one mutex around the settings, counters and buffer; a request that is not
// traced while every level is OFF never takes it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace tern {

// name -> values; nullopt clears a model's setting (falls back to the server-wide one).
using TraceSettingChanges = std::map<std::string, std::optional<std::vector<std::string>>>;
using TraceSettingValues = std::map<std::string, std::vector<std::string>>;

// One sampled request's timestamps, filled as it goes and written when it ends.
struct RequestTrace {
  uint64_t id = 0;
  std::string model_name;
  int64_t model_version = 0;
  std::vector<std::pair<const char*, int64_t>> timestamps;  // (name, steady-clock ns)

  void Stamp(const char* name, std::chrono::steady_clock::time_point at);
};

class InferenceTracer {
 public:
  // trace_file: where traces go ("": none, and tracing cannot be turned on).
  explicit InferenceTracer(std::string trace_file);
  // Writes the traces still in memory (log_frequency 0) to trace_file.
  ~InferenceTracer();

  // The settings in force for `model` ("": server-wide).
  TraceSettingValues Settings(const std::string& model) const;
  // Applies all of `changes` or none. INVALID_ARGUMENT naming the setting and the values it
  // takes; FAILED_PRECONDITION for turning tracing on without a trace file.
  Status Update(const std::string& model, const TraceSettingChanges& changes);

  // At a request's start: its trace when this request is sampled, else null.
  std::unique_ptr<RequestTrace> Sample(const std::string& model);
  // At its end: the trace joins the file (at once, or when log_frequency traces are ready).
  void Finish(const RequestTrace& trace);

 private:
  // One holder's settings: the server-wide one has every field; a model's only those it sets.
  // count is the live number of traces left (-1: no limit).
  struct Config {
    std::optional<bool> on;  // trace_level TIMESTAMPS
    std::optional<int64_t> rate, count;
    uint64_t seen = 0;  // requests this holder has sampled from (when it sets trace_rate)
  };
  Status Apply(const TraceSettingChanges& changes, bool model_level, Config* config,
               std::optional<int64_t>* log_frequency) const;
  void WriteLocked(const std::string& path);

  const std::string trace_file_;
  mutable std::mutex mu_;
  Config global_{false, 1000, -1, 0};
  int64_t log_frequency_ = 0;
  std::map<std::string, Config> models_;
  std::vector<std::string> buffer_;  // JSON objects of finished traces not yet written
  int64_t file_index_ = 0;
  std::atomic<uint64_t> next_id_{1};
  std::atomic<bool> any_on_{false};
};

}  // namespace tern
