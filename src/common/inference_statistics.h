// InferenceStatistics: per model and version, what Triton's statistics extension reports
// (request success and failure counts with their cumulative durations, the queue, compute input,
// compute infer and compute output phases, and per executed batch size). Metrics owns it and
// records into it from the same calls that feed the Prometheus series, so the v2 statistics
// endpoints and the metrics page read one set of numbers. Thread-safe (one mutex; a record is a
// few additions, tiny next to a model run).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace tern {

// Where one request's time went inside the server, in nanoseconds. A request run in a batch is
// charged the whole batch's compute phases, as Triton charges them.
struct InferenceTimings {
  int64_t queue_ns = 0;           // waiting for a batch, or for an instance and a compute thread
  int64_t compute_input_ns = 0;   // merging the batch's inputs (0 when run alone: fed as is)
  int64_t compute_infer_ns = 0;   // running the signature
  int64_t compute_output_ns = 0;  // slicing the batch's outputs back (0 when run alone)
};

// Filled by whoever runs the request (the batcher, from its threads; each chunk of a split
// request adds its share), read once the request is answered.
struct RunTimings {
  std::atomic<int64_t> queue_ns{0};
  std::atomic<int64_t> compute_input_ns{0};
  std::atomic<int64_t> compute_infer_ns{0};
  std::atomic<int64_t> compute_output_ns{0};
  std::atomic<bool> batched{false};  // it waited in a batching queue
  void Add(const InferenceTimings& t);
  InferenceTimings Load() const;
};

struct StatDuration {
  uint64_t count = 0;
  uint64_t ns = 0;
  void Add(int64_t duration_ns);
};

struct BatchStatistics {
  StatDuration compute_input, compute_infer, compute_output;
};

struct VersionStatistics {
  uint64_t last_inference_ms = 0;  // Unix epoch milliseconds of the last request; 0: none yet
  uint64_t inference_count = 0;    // rows answered successfully (Triton's inferences)
  uint64_t execution_count = 0;    // model runs (a batch of requests is one)
  StatDuration success, fail, queue, compute_input, compute_infer, compute_output;
  std::map<int64_t, BatchStatistics> batch_stats;  // by executed batch size
};

class InferenceStatistics {
 public:
  // One request answered: ok or not, its time in the server and, when ok, its phases and rows.
  void RecordRequest(std::string_view model, int64_t version, bool ok, int64_t duration_ns,
                     const InferenceTimings& timings, int64_t rows);
  // One run of the model over `batch_size` rows (padding included).
  void RecordExecution(std::string_view model, int64_t version, int64_t batch_size,
                       const InferenceTimings& timings);

  // What has been recorded for the version; zeros when nothing has.
  VersionStatistics Get(std::string_view model, int64_t version) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<int64_t, VersionStatistics>, std::less<>> stats_;
};

}  // namespace tern
