#include "common/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <set>
#include <shared_mutex>
#include <sstream>
#include <unordered_map>

namespace tern {
namespace {

using prometheus::Histogram;

// Request latencies run from ~100 us (a tiny model on REST) to the 30 s default deadline.
const Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* b = new Histogram::BucketBoundaries{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};
  return *b;
}

const Histogram::BucketBoundaries& LoadBuckets() {
  static const auto* b = new Histogram::BucketBoundaries{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,  2.5,
                                                         5,    10,    30,   60,  120,  300, 600};
  return *b;
}

Histogram::BucketBoundaries PowersOfTwo(int first, int count) {
  Histogram::BucketBoundaries b;
  if (first == 0) b.push_back(0);
  for (int i = 0; i < count; ++i) b.push_back(std::ldexp(1.0, i));
  return b;
}

// TF Serving's request/runtime latency buckets: microseconds, 10 * 1.8^i for 33 buckets.
Histogram::BucketBoundaries TfServingMicrosBuckets() {
  Histogram::BucketBoundaries b;
  double bound = 10;
  for (int i = 0; i < 33; ++i, bound *= 1.8) b.push_back(bound);
  return b;
}

std::string S(std::string_view v) { return std::string(v); }

// TF Serving counts its inference APIs under its own names, not status or metadata calls.
bool IsTfServingInference(std::string_view method) {
  for (std::string_view m :
       {"predict", "classify", "regress", "Predict", "Classify", "Regress", "MultiInference"}) {
    if (method == m) return true;
  }
  return false;
}

// prometheus-cpp's Family::Add builds a label map, hashes it and takes the family's lock on every
// call: several times per request on the hot path. Series are never removed, so each recorder
// finds its series here once by its label values and keeps the pointer.
template <typename T>
class SeriesCache {
 public:
  // `key` joins the label values; `make` adds the series to its family on the first call.
  template <typename Make>
  T& Get(const std::string& key, Make make) {
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      auto it = series_.find(key);
      if (it != series_.end()) return *it->second;
    }
    std::unique_lock<std::shared_mutex> lock(mu_);
    T*& slot = series_[key];
    if (slot == nullptr) slot = &make();
    return *slot;
  }

 private:
  std::shared_mutex mu_;
  std::unordered_map<std::string, T*> series_;
};

// A per-thread buffer holding the label values joined by '\x1f' (no label value holds it), so
// a cache hit allocates nothing.
const std::string& Key(std::initializer_list<std::string_view> values) {
  thread_local std::string key;
  key.clear();
  for (std::string_view v : values) {
    key.append(v);
    key.push_back('\x1f');
  }
  return key;
}

}  // namespace

struct Metrics::Families {
  explicit Families(prometheus::Registry& r, const Options& options)
      : requests(prometheus::BuildCounter()
                     .Name("tern_requests_total")
                     .Help("Requests answered, by model, version, API, method and status code.")
                     .Register(r)),
        request_duration(prometheus::BuildHistogram()
                             .Name("tern_request_duration_seconds")
                             .Help("Time from a parsed request to its serialized answer.")
                             .Register(r)),
        in_flight(prometheus::BuildGauge()
                      .Name("tern_requests_in_flight")
                      .Help("Requests being handled now, by API.")
                      .Register(r)),
        compute_duration(prometheus::BuildHistogram()
                             .Name("tern_compute_duration_seconds")
                             .Help("Time running the model graph for one request.")
                             .Register(r)),
        load_duration(prometheus::BuildHistogram()
                          .Name("tern_model_load_duration_seconds")
                          .Help("Time to load a model version, successful or not.")
                          .Register(r)),
        load_failures(prometheus::BuildCounter()
                          .Name("tern_model_load_failures_total")
                          .Help("Model version loads that failed.")
                          .Register(r)),
        warmup_duration(prometheus::BuildHistogram()
                            .Name("tern_model_warmup_duration_seconds")
                            .Help("Time to warm up a model version.")
                            .Register(r)),
        instances(prometheus::BuildGauge()
                      .Name("tern_model_instances")
                      .Help("Loaded, servable instances of a model.")
                      .Register(r)),
        queue_duration(prometheus::BuildHistogram()
                           .Name("tern_batch_queue_duration_seconds")
                           .Help("Time a request waited in the batching queue.")
                           .Register(r)),
        batch_size(prometheus::BuildHistogram()
                       .Name("tern_batch_size")
                       .Help("Rows in each batch run, padding included.")
                       .Register(r)),
        batch_padding(prometheus::BuildHistogram()
                          .Name("tern_batch_padding_rows")
                          .Help("Padding rows added to each batch run.")
                          .Register(r)),
        queue_depth(prometheus::BuildGauge()
                        .Name("tern_batch_queue_depth")
                        .Help("Requests waiting in the batching queue.")
                        .Register(r)),
        refused(prometheus::BuildCounter()
                    .Name("tern_requests_refused_total")
                    .Help("Requests refused at once because the server was overloaded (answered "
                          "UNAVAILABLE / HTTP 503), by model and reason.")
                    .Register(r)),
        build_info(prometheus::BuildGauge()
                       .Name("tern_build_info")
                       .Help("Always 1; the labels describe the build.")
                       .Register(r)) {
    build_info.Add({{"version", options.build_version}}).Set(1);
    if (options.export_tf_serving_names) {
      tf_request_count = &prometheus::BuildCounter()
                              .Name(":tensorflow:serving:request_count")
                              .Help("TF Serving name: requests by model and status.")
                              .Register(r);
      tf_request_latency = &prometheus::BuildHistogram()
                                .Name(":tensorflow:serving:request_latency")
                                .Help("TF Serving name: successful request latency, us.")
                                .Register(r);
      tf_runtime_latency = &prometheus::BuildHistogram()
                                .Name(":tensorflow:serving:runtime_latency")
                                .Help("TF Serving name: model run latency, us.")
                                .Register(r);
    }
  }

  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& request_duration;
  prometheus::Family<prometheus::Gauge>& in_flight;
  prometheus::Family<prometheus::Histogram>& compute_duration;
  prometheus::Family<prometheus::Histogram>& load_duration;
  prometheus::Family<prometheus::Counter>& load_failures;
  prometheus::Family<prometheus::Histogram>& warmup_duration;
  prometheus::Family<prometheus::Gauge>& instances;
  prometheus::Family<prometheus::Histogram>& queue_duration;
  prometheus::Family<prometheus::Histogram>& batch_size;
  prometheus::Family<prometheus::Histogram>& batch_padding;
  prometheus::Family<prometheus::Gauge>& queue_depth;
  prometheus::Family<prometheus::Counter>& refused;
  prometheus::Family<prometheus::Gauge>& build_info;
  prometheus::Family<prometheus::Counter>* tf_request_count = nullptr;
  prometheus::Family<prometheus::Histogram>* tf_request_latency = nullptr;
  prometheus::Family<prometheus::Histogram>* tf_runtime_latency = nullptr;
  const Histogram::BucketBoundaries batch_buckets = PowersOfTwo(1, 11);
  const Histogram::BucketBoundaries padding_buckets = PowersOfTwo(0, 10);
  const Histogram::BucketBoundaries tf_micros_buckets = TfServingMicrosBuckets();

  SeriesCache<prometheus::Counter> requests_by_labels;
  SeriesCache<Histogram> request_duration_by_labels;
  SeriesCache<prometheus::Gauge> in_flight_by_api;
  SeriesCache<Histogram> compute_by_labels;
  SeriesCache<prometheus::Counter> tf_request_count_by_labels;
  SeriesCache<Histogram> tf_request_latency_by_labels;
  SeriesCache<Histogram> tf_runtime_by_model;
  SeriesCache<Histogram> queue_duration_by_model;
  SeriesCache<Histogram> batch_size_by_model;
  SeriesCache<Histogram> batch_padding_by_model;
  SeriesCache<prometheus::Gauge> queue_depth_by_model;
  SeriesCache<prometheus::Counter> refused_by_labels;
};

std::unique_ptr<Metrics> Metrics::Create(Options options) {
  return std::unique_ptr<Metrics>(new Metrics(std::move(options)));
}

Metrics::Metrics(Options options)
    : options_(std::move(options)),
      registry_(std::make_shared<prometheus::Registry>()),
      families_(std::make_unique<Families>(*registry_, options_)) {}

Metrics::~Metrics() = default;

void Metrics::RecordRequest(const RequestLabels& labels, StatusCode code, double latency_seconds) {
  Families& f = *families_;
  const std::string_view code_name = StatusCodeName(code);
  f.requests_by_labels
      .Get(Key({labels.model, labels.version, labels.api, labels.method, code_name}),
           [&]() -> prometheus::Counter& {
             return f.requests.Add({{"model", S(labels.model)},
                                    {"version", S(labels.version)},
                                    {"api", S(labels.api)},
                                    {"method", S(labels.method)},
                                    {"code", S(code_name)}});
           })
      .Increment();
  f.request_duration_by_labels
      .Get(Key({labels.model, labels.version, labels.api, labels.method}),
           [&]() -> Histogram& {
             return f.request_duration.Add({{"model", S(labels.model)},
                                            {"version", S(labels.version)},
                                            {"api", S(labels.api)},
                                            {"method", S(labels.method)}},
                                           LatencyBuckets());
           })
      .Observe(latency_seconds);
  if (f.tf_request_count && labels.api != "v2" && IsTfServingInference(labels.method)) {
    f.tf_request_count_by_labels
        .Get(Key({labels.model, code_name}),
             [&]() -> prometheus::Counter& {
               return f.tf_request_count->Add(
                   {{"model_name", S(labels.model)}, {"status", S(code_name)}});
             })
        .Increment();
    if (code == StatusCode::kOk) {
      const std::string_view entrypoint = labels.api == "grpc" ? "GRPC" : "REST";
      f.tf_request_latency_by_labels
          .Get(Key({labels.model, labels.method, entrypoint}),
               [&]() -> Histogram& {
                 return f.tf_request_latency->Add({{"model_name", S(labels.model)},
                                                   {"API", S(labels.method)},
                                                   {"entrypoint", S(entrypoint)}},
                                                  f.tf_micros_buckets);
               })
          .Observe(latency_seconds * 1e6);
    }
  }
}

void Metrics::AddInFlight(std::string_view api, int delta) {
  auto& gauge = families_->in_flight_by_api.Get(Key({api}), [&]() -> prometheus::Gauge& {
    return families_->in_flight.Add({{"api", S(api)}});
  });
  if (delta >= 0) {
    gauge.Increment(delta);
  } else {
    gauge.Decrement(-delta);
  }
}

void Metrics::RecordInference(const Inference& in) {
  statistics_.RecordRequest(in.model, in.version, in.ok, in.duration_ns, in.timings, in.rows);
  if (!in.ok) return;
  const std::string version = std::to_string(in.version);
  const auto& t = in.timings;
  RecordCompute(
      in.model, version,
      static_cast<double>(t.compute_input_ns + t.compute_infer_ns + t.compute_output_ns) * 1e-9);
  if (in.batched) RecordBatchQueueLatency(in.model, static_cast<double>(t.queue_ns) * 1e-9);
}

void Metrics::RecordExecution(const Execution& run) {
  statistics_.RecordExecution(run.model, run.version, run.batch_size, run.timings);
  if (run.batched) {
    RecordBatch(run.model, static_cast<int>(run.batch_size), static_cast<int>(run.padding_rows));
  }
}

void Metrics::RecordCompute(std::string_view model, std::string_view version, double seconds) {
  Families& f = *families_;
  f.compute_by_labels
      .Get(Key({model, version}),
           [&]() -> Histogram& {
             return f.compute_duration.Add({{"model", S(model)}, {"version", S(version)}},
                                           LatencyBuckets());
           })
      .Observe(seconds);
  if (f.tf_runtime_latency) {
    f.tf_runtime_by_model
        .Get(Key({model}),
             [&]() -> Histogram& {
               return f.tf_runtime_latency->Add(
                   {{"model_name", S(model)}, {"API", "Predict"}, {"runtime", "TF1"}},
                   f.tf_micros_buckets);
             })
        .Observe(seconds * 1e6);
  }
}

void Metrics::RecordModelLoad(std::string_view model, double seconds, const Status& status) {
  families_->load_duration.Add({{"model", S(model)}}, LoadBuckets()).Observe(seconds);
  // Created at 0 on success too, so increase() sees the first failure.
  auto& failures = families_->load_failures.Add({{"model", S(model)}});
  if (!status.ok()) {
    failures.Increment();
    return;
  }
  // A served model's batching series exist from the start (empty, queue depth 0), as Prometheus
  // advises for known label values, so dashboards and rate() see them before the first batch.
  const std::string m(model);
  families_->queue_depth.Add({{"model", m}});
  families_->queue_duration.Add({{"model", m}}, LatencyBuckets());
  families_->batch_size.Add({{"model", m}}, families_->batch_buckets);
  families_->batch_padding.Add({{"model", m}}, families_->padding_buckets);
}

void Metrics::RecordWarmup(std::string_view model, double seconds, const Status& status) {
  families_->warmup_duration
      .Add({{"model", S(model)}, {"result", status.ok() ? "success" : "failure"}}, LoadBuckets())
      .Observe(seconds);
}

void Metrics::SetModelInstances(std::string_view model, int instances) {
  families_->instances.Add({{"model", S(model)}}).Set(instances);
}

void Metrics::RecordBatchQueueLatency(std::string_view model, double seconds) {
  Families& f = *families_;
  f.queue_duration_by_model
      .Get(Key({model}),
           [&]() -> Histogram& {
             return f.queue_duration.Add({{"model", S(model)}}, LatencyBuckets());
           })
      .Observe(seconds);
}

void Metrics::RecordBatch(std::string_view model, int batch_size, int padding_rows) {
  Families& f = *families_;
  f.batch_size_by_model
      .Get(Key({model}),
           [&]() -> Histogram& {
             return f.batch_size.Add({{"model", S(model)}}, f.batch_buckets);
           })
      .Observe(batch_size);
  f.batch_padding_by_model
      .Get(Key({model}),
           [&]() -> Histogram& {
             return f.batch_padding.Add({{"model", S(model)}}, f.padding_buckets);
           })
      .Observe(padding_rows);
}

void Metrics::RecordRefusal(std::string_view model, std::string_view reason) {
  Families& f = *families_;
  f.refused_by_labels
      .Get(Key({model, reason}),
           [&]() -> prometheus::Counter& {
             return f.refused.Add({{"model", S(model)}, {"reason", S(reason)}});
           })
      .Increment();
}

void Metrics::SetBatchQueueDepth(std::string_view model, int depth) {
  Families& f = *families_;
  f.queue_depth_by_model
      .Get(Key({model}),
           [&]() -> prometheus::Gauge& {
             return f.queue_depth.Add({{"model", S(model)}});
           })
      .Set(depth);
}

void Metrics::AddCollectable(std::shared_ptr<const prometheus::Collectable> collectable) {
  std::lock_guard<std::mutex> lock(collectables_mu_);
  collectables_.push_back(std::move(collectable));
}

std::string Metrics::Render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  {
    std::lock_guard<std::mutex> lock(collectables_mu_);
    for (const auto& c : collectables_) {
      auto more = c->Collect();
      families.insert(families.end(), std::make_move_iterator(more.begin()),
                      std::make_move_iterator(more.end()));
    }
  }
  // A scrape-time source may report a name a recorder also fills (tern_model_instances before
  // and after the scale-from-zero work): the first family with samples wins, and families with
  // no samples yet are left out, so each name appears once.
  std::vector<prometheus::MetricFamily> unique;
  unique.reserve(families.size());
  std::set<std::string> seen;
  for (auto& family : families) {
    if (family.metric.empty() || !seen.insert(family.name).second) continue;
    unique.push_back(std::move(family));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, unique);
  return std::move(out).str();
}

}  // namespace tern
