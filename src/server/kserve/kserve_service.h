// The KServe Open Inference Protocol (v2) operations, free of any transport: health, model
// readiness and metadata, and infer on a model's serving signature. The REST and gRPC v2 front
// ends (kserve_rest, kserve_grpc) call it. Holds a non-owning pointer to the InferenceCore,
// which must outlive it. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/inference_statistics.h"
#include "server/core/inference_core.h"
#include "server/core/model_repository.h"
#include "server/core/server_readiness.h"
#include "server/kserve/kserve_classification.h"
#include "server/kserve/shared_memory.h"
#include "server/kserve/trace.h"

namespace tern {

struct V2TensorMetadata {
  std::string name;
  std::string datatype;        // "FP32", ...
  std::vector<int64_t> shape;  // -1 for a variable dimension; [-1] for unknown rank
};

struct V2ModelMetadata {
  std::string name;
  std::vector<std::string> versions;  // available versions, highest first
  std::string platform = "tensorflow_savedmodel";
  std::vector<V2TensorMetadata> inputs;
  std::vector<V2TensorMetadata> outputs;
  // Tern's extension: the runtime serving the version described ("tern", "tensorflow") and why.
  std::string runtime;
  std::string runtime_reason;
};

// Triton's model configuration, derived from the serving signature (Tern has no config.pbtxt).
// When every input and output has a leading variable dimension the model is batchable:
// max_batch_size > 0 and dims leave that dimension out, as Triton writes them.
struct V2DynamicBatching {
  std::vector<int64_t> preferred_batch_size;  // the batching options' allowed_batch_sizes
  int64_t max_queue_delay_microseconds = 0;   // their batch_timeout_micros
};

struct V2ModelConfig {
  std::string name;
  std::string platform = "tensorflow_savedmodel";
  std::string backend = "tensorflow";
  int32_t max_batch_size = 0;
  // datatype is Triton's config name ("TYPE_FP32", BYTES is "TYPE_STRING"); shape = dims.
  std::vector<V2TensorMetadata> inputs;
  std::vector<V2TensorMetadata> outputs;
  // Set when the server batches this model's requests (and it is batchable).
  std::optional<V2DynamicBatching> dynamic_batching;
};

struct V2InferRequest {
  ModelRef model;
  std::string signature_name;  // "" = serving_default (v2 parameter "signature_name")
  std::map<std::string, Tensor> inputs;
  std::vector<std::string> outputs;  // empty: every output of the signature
  // Triton's classification extension: output name -> k (the output's `classification`
  // parameter); that output is answered as its top k "value:index[:label]" strings.
  std::map<std::string, int64_t> classification;
  // Triton's system shared memory extension: outputs whose data goes into a registered region
  // (held until the answer is written) instead of into the response.
  std::map<std::string, SharedMemorySlice> output_shared_memory;
};

// An output written into shared memory: the response names the region and the bytes written.
struct V2SharedMemoryOutput {
  std::string region;
  uint64_t byte_size = 0;
};

struct V2InferResult {
  std::string model_name;
  int64_t version = 0;
  // In the order requested (or the signature's order when none were requested).
  std::vector<std::pair<std::string, Tensor>> outputs;
  // The outputs among them that were written into shared memory: the response carries their
  // datatype and shape but not their data.
  std::map<std::string, V2SharedMemoryOutput> shared_memory_outputs;
};

// Triton's statistics extension: one model version's numbers.
struct V2ModelStatistics {
  std::string name;
  int64_t version = 0;
  VersionStatistics stats;
};

class KServeService : public ServerReadiness {
 public:
  struct Options {
    // max_batch_size reported in the model config of a batchable model whose requests are not
    // batched. Tern takes any number of rows, so this only bounds what Triton clients send;
    // TF Serving's batching default. A batched model reports its batching max_batch_size.
    int32_t config_max_batch_size = 1000;
    // Not owned; null: the repository extension answers UNIMPLEMENTED.
    ModelRepository* repository = nullptr;
    // Where Triton's trace extension writes its traces ("": none, tracing stays off).
    std::string trace_file;
  };
  explicit KServeService(InferenceCore* service) : KServeService(service, Options{}) {}
  KServeService(InferenceCore* service, Options options)
      : service_(service),
        options_(options),
        tracer_(std::make_shared<InferenceTracer>(options.trace_file)) {}

  // "" -> latest; otherwise a decimal version number (INVALID_ARGUMENT otherwise).
  static StatusOr<ModelRef> ParseModelRef(const std::string& name, const std::string& version);

  bool ServerReady() const override;
  // From now on ServerReady is false (shutdown has begun: load balancers should look elsewhere).
  void StartDraining() { draining_.store(true); }
  bool draining() const override { return draining_.load(); }
  // NOT_FOUND for an unknown model; false while it (or the version) is not available.
  StatusOr<bool> ModelReady(const ModelRef& ref) const;
  StatusOr<V2ModelMetadata> ModelMetadata(const ModelRef& ref) const;
  StatusOr<V2ModelConfig> ModelConfig(const ModelRef& ref) const;
  // Answers through `done`, exactly once: on the calling thread for a request refused before it
  // runs, else where InferenceCore::PredictAsync answers (a batch thread or the compute
  // pool), so a request waiting for its batch holds no thread.
  using InferDone = std::function<void(StatusOr<V2InferResult>)>;
  // Statistics of every model (name ""), of one model, or of one version (version "" = all):
  // each version that is available or has answered a request, zeros where none has. NOT_FOUND
  // for an unknown model or version.
  StatusOr<std::vector<V2ModelStatistics>> ModelStatistics(const std::string& name,
                                                           const std::string& version) const;
  void InferAsync(V2InferRequest request, const RunOptions& options, InferDone done) const;

  // Triton's model repository extension (kserve_repository.cc). `repository` is the request's
  // repository_name: Tern has one repository, so any other is UNIMPLEMENTED, as in Triton.
  StatusOr<std::vector<ModelRepository::Entry>> RepositoryIndex(const std::string& repository,
                                                                bool ready_only) const;
  // config_json: Triton's `config` load parameter, which Tern maps onto its model config: a
  // JSON object whose `base_path` says where to serve the model from (see docs/api.md).
  // has_file_parameters: the request carried `file:` parameters (model files in the request),
  // which Tern does not take.
  Status RepositoryLoad(const std::string& repository, const std::string& model,
                        const std::optional<std::string>& config_json,
                        bool has_file_parameters) const;
  Status RepositoryUnload(const std::string& repository, const std::string& model) const;

  // Triton's system shared memory extension: the regions registered with this server.
  SharedMemoryRegistry& shared_memory() const { return *shared_memory_; }
  // Triton's trace extension: settings, and the traces of sampled infer requests.
  InferenceTracer& tracer() const { return *tracer_; }

  // The extensions ServerMetadata lists: exactly those implemented.
  static const std::vector<std::string>& Extensions();

  // What the server calls itself in ServerMetadata.
  static constexpr const char* kServerName = "tern";
  static constexpr const char* kServerVersion = "0.1.0";

 private:
  // `done` wrapped to stamp the trace's timestamps (from `*phases`, which it creates for the
  // core to fill) and hand it to the tracer before answering.
  InferDone TracedDone(std::unique_ptr<RequestTrace> trace, InferDone done,
                       std::shared_ptr<RequestPhases>* phases) const;

  InferenceCore* service_;
  Options options_;
  std::shared_ptr<ClassificationLabels> labels_ = std::make_shared<ClassificationLabels>();
  std::atomic<bool> draining_{false};
  std::shared_ptr<SharedMemoryRegistry> shared_memory_ = std::make_shared<SharedMemoryRegistry>();
  // Shared with the answers of traced requests still running.
  std::shared_ptr<InferenceTracer> tracer_;
};

}  // namespace tern
