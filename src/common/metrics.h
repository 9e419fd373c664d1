// Metrics: every Prometheus series Tern exports, on one prometheus-cpp registry, rendered in
// the text exposition format by the REST server (no second HTTP server). Every layer records
// through the methods below; label values must come from bounded sets (model names the manager
// knows, versions, fixed enums), never raw request data. Thread-safe; owned by main and
// outliving every part that records into it.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/inference_statistics.h"
#include "common/status.h"

namespace prometheus {
class Collectable;
class Registry;
}  // namespace prometheus

namespace tern {

class Metrics {
 public:
  struct Options {
    // Also export TF Serving's names (:tensorflow:serving:request_count, request_latency,
    // runtime_latency) so existing TF Serving dashboards keep working.
    bool export_tf_serving_names = false;
    // tern_build_info{version=...}.
    std::string build_version = "dev";
  };
  static std::unique_ptr<Metrics> Create(Options options);
  ~Metrics();

  // What a request is about. api: "rest", "grpc" or "v2"; method: a fixed verb ("predict",
  // "Predict", "status", ...); model/version: already bounded by the caller ("" when none).
  struct RequestLabels {
    std::string_view model;
    std::string_view version;
    std::string_view api;
    std::string_view method;
  };

  // One finished request: counted by status code, its end-to-end latency observed.
  void RecordRequest(const RequestLabels& labels, StatusCode code, double latency_seconds);
  // +1 when a request starts, -1 when it ends.
  void AddInFlight(std::string_view api, int delta);
  // One request the model answered or failed (from any API): Prometheus observes its compute
  // phases (input + infer + output, not parsing or serialization) and, when it waited for a
  // batch, its queue time; the statistics (Triton's extension) count it with its phases.
  struct Inference {
    std::string_view model;
    int64_t version = 0;
    bool ok = true;
    int64_t duration_ns = 0;  // from the core taking the request to its answer
    InferenceTimings timings;
    int64_t rows = 1;  // dimension 0 of its inputs (1 for a scalar request)
    bool batched = false;
  };
  void RecordInference(const Inference& inference);
  // One run of the model over batch_size rows (padding_rows of them padding): the batch-size
  // and padding histograms for a batched run, the statistics' per-batch-size phases for any.
  struct Execution {
    std::string_view model;
    int64_t version = 0;
    int64_t batch_size = 1;
    int64_t padding_rows = 0;
    InferenceTimings timings;  // queue_ns unused
    bool batched = false;
  };
  void RecordExecution(const Execution& execution);
  // What the v2 statistics extension reports; filled by RecordInference and RecordExecution.
  const InferenceStatistics& statistics() const { return statistics_; }

  // One request admission control refused (overload); reason: a fixed word
  // ("in_flight_limit", "queue_wait", "deadline").
  void RecordRefusal(std::string_view model, std::string_view reason);

  // Model lifecycle (loader).
  void RecordModelLoad(std::string_view model, double seconds, const Status& status);
  void RecordWarmup(std::string_view model, double seconds, const Status& status);
  void SetModelInstances(std::string_view model, int instances);

  // Batching: the queue depth (queue time and batch sizes come with RecordInference and
  // RecordExecution).
  void SetBatchQueueDepth(std::string_view model, int depth);

  // Sources read at scrape time (model states, process stats). Kept alive by the Metrics.
  void AddCollectable(std::shared_ptr<const prometheus::Collectable> collectable);

  // The whole page in Prometheus text format 0.0.4.
  std::string Render() const;
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Families;
  explicit Metrics(Options options);
  void RecordCompute(std::string_view model, std::string_view version, double seconds);
  void RecordBatchQueueLatency(std::string_view model, double seconds);
  void RecordBatch(std::string_view model, int batch_size, int padding_rows);

  const Options options_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> families_;
  mutable std::mutex collectables_mu_;
  std::vector<std::shared_ptr<const prometheus::Collectable>> collectables_;
  InferenceStatistics statistics_;
};

}  // namespace tern
