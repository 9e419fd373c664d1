// SignatureBatcher: runs SavedModel signatures through the BatchScheduler. Requests to the same
// model version, signature, output filter and input dtypes/shapes (dims after the first) share
// one queue; their inputs are concatenated along dimension 0, padded to the next allowed batch
// size, run once, and the outputs sliced back. A request larger than max_batch_size is split
// into chunks that are batched separately and reassembled in order. Requests that cannot be
// batched (a scalar input, inputs with different first dims) run alone on the caller's thread.
// A queued request keeps its model alive (keep_alive), so unloading a version while requests
// wait still answers each of them. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "batching/batch_scheduler.h"
#include "batching/batching_options.h"
#include "common/metrics.h"
#include "runtime/servable_model.h"

namespace tern {

enum class PerModelParameters {
  kIgnore,
  // Read <version dir>/batching_params.pbtxt (as TF Serving; assets.extra/batching_params.pbtxt
  // too); a version without one is not batched.
  kRead,
};

struct SignatureRun {
  const ServableModel* model = nullptr;    // must stay valid while keep_alive is held
  std::shared_ptr<const void> keep_alive;  // held until the request is answered
  std::string model_name;
  int64_t version = 0;
  std::string signature_name;
  std::map<std::string, Tensor> inputs;
  std::vector<std::string> output_filter;
  RunOptions options;
  // Nullable: where the batcher adds the request's queue and compute phases.
  std::shared_ptr<RunTimings> timings;
};

using SignatureOutputs = std::map<std::string, Tensor>;
using SignatureDone = std::function<void(StatusOr<SignatureOutputs>)>;

class SignatureBatcher {
 public:
  struct Options {
    BatchingOptions defaults;
    PerModelParameters per_model = PerModelParameters::kIgnore;
    Stepping stepping = Stepping::kBackgroundThreads;
    std::function<BatchClock::time_point()> now;  // default: steady_clock::now
    Metrics* metrics = nullptr;  // not owned; executions (batch size, padding, phases), depth
    ComputePool* compute_pool = nullptr;  // not owned; where batches run (see BatchScheduler)
  };
  static StatusOr<std::unique_ptr<SignatureBatcher>> Create(Options options);

  // Answers through `done`, on a batch thread or (for errors and unbatchable requests) on the
  // calling thread. Holds no thread while the request waits.
  void RunAsync(SignatureRun run, SignatureDone done);
  // Waits for RunAsync's answer, at most until the request's deadline.
  StatusOr<SignatureOutputs> Run(SignatureRun run);

  // The options the model's requests are batched with (the defaults, or its
  // batching_params.pbtxt); null when its requests are not batched. Valid while this lives.
  StatusOr<const BatchingOptions*> OptionsFor(const ServableModel& model);

  BatchScheduler& scheduler() { return *scheduler_; }
  // The queue a request would use (for tests); empty when it would not be batched.
  std::string QueueNameFor(const SignatureRun& run, const BatchingOptions& options) const;

 private:
  struct Task;
  explicit SignatureBatcher(Options options);
  static void ProcessBatch(const BatchingOptions& options, Metrics* metrics,
                           const std::string& model_name, int64_t version, BatchTasks tasks);

  Options options_;
  std::unique_ptr<BatchScheduler> scheduler_;
  std::mutex mu_;
  // Per export dir: its own options, or null when it has no batching_params.pbtxt.
  std::map<std::string, std::shared_ptr<const BatchingOptions>> per_model_;
};

}  // namespace tern
