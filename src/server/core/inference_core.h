// InferenceCore: the transport-free heart of the server, called by every front end (TF Serving
// REST and gRPC, KServe v2 over both). Resolves model/version/signature, runs the signature
// (through the batcher when batching is on), reports model status. Holds non-owning pointers to
// the ModelManager, the Metrics (nullable: no compute timing, no statistics) and the
// SignatureBatcher (nullable: no batching), which must outlive it. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "batching/signature_batcher.h"
#include "common/compute_pool.h"
#include "common/metrics.h"
#include "loader/model_manager.h"
#include "server/core/admission_control.h"

namespace tern {

// Where one request's time went in the core, for a trace: when it arrived (its queue started)
// and how long each phase took after that.
struct RequestPhases {
  std::chrono::steady_clock::time_point arrived;
  InferenceTimings timings;
};

struct ModelRef {
  std::string name;
  std::optional<int64_t> version;    // empty: the latest available version
  std::optional<std::string> label;  // a version_labels entry; exclusive with version
  // Bounds the wait for a model at zero instances to load (with --model_load_wait_timeout_ms).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

enum class SignatureMethodCheck { kOff, kRequireMatch };

class InferenceCore {
 public:
  // metrics: null records no compute time; batcher: null runs every request alone.
  // compute_pool (not owned): where PredictAsync runs unbatched requests; null: the caller's
  // thread.
  // method_check: whether Classify, Regress and MultiInference require the signature's
  // method_name to match (TF Serving's --enable_signature_method_name_check; off by default
  // there, since native TF2 exports write the predict method for every signature).
  // admission (not owned, nullable: every request is taken): refuses PredictAsync requests at
  // once when the server is overloaded.
  InferenceCore(ModelManager* manager, Metrics* metrics, SignatureBatcher* batcher = nullptr,
                ComputePool* compute_pool = nullptr,
                SignatureMethodCheck method_check = SignatureMethodCheck::kOff,
                AdmissionControl* admission = nullptr)
      : manager_(manager),
        metrics_(metrics),
        batcher_(batcher),
        compute_pool_(compute_pool),
        method_check_(method_check),
        admission_(admission) {}

  SignatureMethodCheck method_check() const { return method_check_; }

  // A model at zero instances is loaded first (see ModelManager::GetHandle).
  StatusOr<ServableHandle> GetServable(const ModelRef& ref) const;

  // "" means "serving_default", as in TF Serving.
  static StatusOr<const Signature*> GetSignature(const ServableHandle& servable,
                                                 const std::string& signature_name);

  // Without batching, the run takes one of the model's instances (max_instances) first; with
  // batching, the batcher's threads bound parallel runs instead.
  StatusOr<std::map<std::string, Tensor>> Predict(const ServableHandle& servable,
                                                  const Signature& signature,
                                                  const std::map<std::string, Tensor>& inputs,
                                                  const std::vector<std::string>& output_filter,
                                                  const RunOptions& options) const;

  // Predict without holding the calling thread while the request waits for its batch: `done`
  // runs once, on a batch thread, or for an unbatched request on the compute pool (the calling
  // thread without one). The servable stays loaded until `done` has run.
  // `phases` (nullable, for tracing) is filled before `done` runs. An overloaded server
  // (AdmissionControl) answers UNAVAILABLE at once, on the calling thread.
  using PredictDone = std::function<void(StatusOr<std::map<std::string, Tensor>>)>;
  void PredictAsync(const ServableHandle& servable, const Signature& signature,
                    std::map<std::string, Tensor> inputs, std::vector<std::string> output_filter,
                    const RunOptions& options, PredictDone done,
                    std::shared_ptr<RequestPhases> phases = nullptr) const;

  // The batching options `servable`'s requests run with; null when they are not batched
  // (batching off, or per-model parameters on and the version has none).
  StatusOr<const BatchingOptions*> BatchingOptionsFor(const ServableHandle& servable) const;

  StatusOr<std::vector<VersionStatus>> GetModelStatus(const ModelRef& ref) const;

  std::vector<std::string> ModelNames() const { return manager_->ModelNames(); }

  // Nullable: what the statistics extension reports (the Metrics' statistics).
  const InferenceStatistics* statistics() const {
    return metrics_ ? &metrics_->statistics() : nullptr;
  }

 private:
  // Predict for a request that reached the core at `arrived` (its queue time starts there).
  StatusOr<std::map<std::string, Tensor>> PredictArrivedAt(
      const ServableHandle& servable, const Signature& signature,
      const std::map<std::string, Tensor>& inputs, const std::vector<std::string>& output_filter,
      const RunOptions& options, std::chrono::steady_clock::time_point arrived,
      RequestPhases* phases = nullptr) const;
  // One answered request into the Metrics (Prometheus and the statistics; no-op without them)
  // and into `phases` (nullable).
  void RecordInference(const ServableHandle& servable, bool ok,
                       std::chrono::steady_clock::time_point arrived,
                       const InferenceTimings& timings, int64_t rows, bool batched,
                       RequestPhases* phases = nullptr) const;

  ModelManager* manager_;
  Metrics* metrics_;
  SignatureBatcher* batcher_;
  ComputePool* compute_pool_;
  SignatureMethodCheck method_check_;
  AdmissionControl* admission_;
};

}  // namespace tern
