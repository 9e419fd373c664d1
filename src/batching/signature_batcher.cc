#include "batching/signature_batcher.h"

#include <condition_variable>
#include <filesystem>
#include <optional>
#include <thread>

#include "batching/tensor_rows.h"
#include "common/cpu_count.h"

namespace tern {
namespace {

// TF Serving's place for a version's own batching parameters, then Tern's earlier one.
constexpr const char* kPerModelFiles[] = {"batching_params.pbtxt",
                                          "assets.extra/batching_params.pbtxt"};

// Collects the answers of a request's chunks and answers the caller once all are in.
struct Join {
  std::mutex mu;
  std::vector<SignatureOutputs> parts;
  size_t remaining = 0;
  Status error;
  InnerDims inner = InnerDims::kMustMatch;
  SignatureDone done;

  void Finish(size_t chunk, StatusOr<SignatureOutputs> result) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!result.ok()) {
        if (error.ok()) error = result.status();
      } else {
        parts[chunk] = std::move(result).value();
      }
      if (--remaining > 0) return;
    }
    if (!error.ok()) return done(error);
    if (parts.size() == 1) return done(std::move(parts[0]));
    SignatureOutputs merged;
    for (const auto& [name, first] : parts[0]) {
      std::vector<Tensor> pieces;
      int64_t rows = 0;
      for (auto& part : parts) {
        pieces.push_back(part[name]);
        rows += part[name].dim(0);
      }
      auto whole = ConcatRows(pieces, rows, inner);
      if (!whole.ok())
        return done(whole.status().WithContext("reassembling output '" + name + "'"));
      merged.emplace(name, std::move(whole).value());
    }
    done(std::move(merged));
  }
};

// The rows every input shares along dimension 0, or -1 when the request cannot be batched.
int64_t BatchRows(const std::map<std::string, Tensor>& inputs) {
  int64_t rows = -1;
  for (const auto& [name, t] : inputs) {
    if (t.rank() < 1 || t.dim(0) < 1) return -1;
    if (t.dtype() != tensorflow::DT_STRING && DataTypeSize(t.dtype()) == 0) return -1;
    if (rows >= 0 && t.dim(0) != rows) return -1;
    rows = t.dim(0);
  }
  return rows;
}

int64_t Nanos(BatchClock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

}  // namespace

struct SignatureBatcher::Task final : BatchTask {
  const ServableModel* model = nullptr;
  std::shared_ptr<const void> keep_alive;
  std::string signature_name;
  std::vector<std::string> output_filter;
  std::map<std::string, Tensor> inputs;
  std::shared_ptr<Join> join;
  std::shared_ptr<RunTimings> timings;  // nullable
  size_t chunk = 0;

  void Fail(const Status& status) override { join->Finish(chunk, status); }
};

SignatureBatcher::SignatureBatcher(Options options) : options_(std::move(options)) {}

StatusOr<std::unique_ptr<SignatureBatcher>> SignatureBatcher::Create(Options options) {
  TERN_RETURN_IF_ERROR(ValidateBatchingOptions(options.defaults, "(server defaults)"));
  std::unique_ptr<SignatureBatcher> batcher(new SignatureBatcher(options));
  BatchScheduler::Options scheduler_options;
  scheduler_options.stepping = options.stepping;
  scheduler_options.now = options.now;
  scheduler_options.compute_pool = options.compute_pool;
  scheduler_options.num_batch_threads = options.defaults.num_batch_threads > 0
                                            ? static_cast<int>(options.defaults.num_batch_threads)
                                            : SchedulableCores();
  batcher->scheduler_ = BatchScheduler::Create(std::move(scheduler_options));
  return batcher;
}

StatusOr<const BatchingOptions*> SignatureBatcher::OptionsFor(const ServableModel& model) {
  if (options_.per_model == PerModelParameters::kIgnore) return &options_.defaults;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = per_model_.find(model.export_dir());
  if (it != per_model_.end()) return it->second.get();
  std::shared_ptr<const BatchingOptions> own;
  for (const char* file : kPerModelFiles) {
    const std::string path = (std::filesystem::path(model.export_dir()) / file).string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;
    TERN_ASSIGN_OR_RETURN(auto params, ReadBatchingParametersFile(path));
    TERN_ASSIGN_OR_RETURN(auto merged,
                          MergeBatchingParameters(params, options_.defaults, "'" + path + "'"));
    own = std::make_shared<const BatchingOptions>(std::move(merged));
    break;
  }
  per_model_[model.export_dir()] = own;
  return own.get();
}

std::string SignatureBatcher::QueueNameFor(const SignatureRun& run,
                                           const BatchingOptions& options) const {
  if (BatchRows(run.inputs) < 0) return "";
  // The model's address separates a re-loaded version from the old one; it cannot be reused
  // while a queued task holds keep_alive.
  char address[32];
  std::snprintf(address, sizeof(address), "%p", static_cast<const void*>(run.model));
  std::string name = run.model_name + "/" + std::to_string(run.version) + "/" + run.signature_name +
                     " @" + address;
  for (const auto& f : run.output_filter) name += " >" + f;
  for (const auto& [input, t] : run.inputs) {
    name += " " + input + ":" + DataTypeName(t.dtype());
    if (options.pad_variable_length_inputs) {
      name += "/rank" + std::to_string(t.rank());
    } else {
      name += "[*";
      for (int d = 1; d < t.rank(); ++d) name += "," + std::to_string(t.dim(d));
      name += "]";
    }
  }
  return name;
}

void SignatureBatcher::RunAsync(SignatureRun run, SignatureDone done) {
  auto options = OptionsFor(*run.model);
  if (!options.ok()) return done(options.status());
  const BatchingOptions* batching = *options;
  const std::string queue = batching ? QueueNameFor(run, *batching) : "";
  if (queue.empty()) {
    const auto start = BatchClock::now();
    auto outputs =
        run.model->RunSignature(run.signature_name, run.inputs, run.output_filter, run.options);
    InferenceTimings t;
    t.compute_infer_ns = Nanos(BatchClock::now() - start);
    if (run.timings) run.timings->Add(t);
    if (options_.metrics && outputs.ok()) {
      const int64_t rows = BatchRows(run.inputs);
      options_.metrics->RecordExecution({.model = run.model_name,
                                         .version = run.version,
                                         .batch_size = rows > 0 ? rows : 1,
                                         .timings = t});
    }
    return done(std::move(outputs));
  }
  const int64_t rows = BatchRows(run.inputs);
  if (batching->enable_large_batch_splitting && rows > batching->max_batch_size) {
    return done(InvalidArgument("Task size " + std::to_string(rows) +
                                " is larger than maximum input batch size " +
                                std::to_string(batching->max_batch_size)));
  }
  const int64_t chunk_rows = batching->ExecutionBatchSize();
  const size_t chunks = static_cast<size_t>((rows + chunk_rows - 1) / chunk_rows);

  auto join = std::make_shared<Join>();
  join->parts.resize(chunks);
  join->remaining = chunks;
  join->inner =
      batching->pad_variable_length_inputs ? InnerDims::kPadToLargest : InnerDims::kMustMatch;
  join->done = std::move(done);
  BatchTasks tasks;
  for (size_t c = 0; c < chunks; ++c) {
    auto task = std::make_unique<Task>();
    const int64_t begin = static_cast<int64_t>(c) * chunk_rows;
    task->rows = std::min(chunk_rows, rows - begin);
    task->deadline = run.options.deadline;
    task->model = run.model;
    task->keep_alive = run.keep_alive;
    task->join = join;
    task->timings = run.timings;
    task->chunk = c;
    if (chunks == 1) {
      task->signature_name = std::move(run.signature_name);
      task->output_filter = std::move(run.output_filter);
      task->inputs = std::move(run.inputs);
    } else {
      task->signature_name = run.signature_name;
      task->output_filter = run.output_filter;
      for (const auto& [name, t] : run.inputs) {
        auto rows_of = SliceRows(t, begin, task->rows);
        if (!rows_of.ok()) return join->done(rows_of.status().WithContext("input '" + name + "'"));
        task->inputs.emplace(name, std::move(rows_of).value());
      }
    }
    tasks.push_back(std::move(task));
  }
  BatchQueueOptions queue_options;
  queue_options.max_batch_size = batching->ExecutionBatchSize();
  queue_options.max_enqueued_batches = batching->max_enqueued_batches;
  queue_options.batch_timeout_micros = batching->batch_timeout_micros;
  queue_options.target_latency_micros = batching->target_latency_micros;
  queue_options.process = [this, batching = *batching, queue, model = run.model_name,
                           version = run.version](BatchTasks batch) {
    ProcessBatch(batching, options_.metrics, model, version, std::move(batch));
    if (options_.metrics)
      options_.metrics->SetBatchQueueDepth(model, scheduler_->QueuedTasks(queue));
  };
  // The queue depth gauge is refreshed after each batch (queue_options.process), not per request.
  Status scheduled = scheduler_->Schedule(queue, queue_options, std::move(tasks));
  if (!scheduled.ok()) {
    join->done(scheduled.WithContext("model '" + run.model_name + "' version " +
                                     std::to_string(run.version)));
  }
}

void SignatureBatcher::ProcessBatch(const BatchingOptions& options, Metrics* metrics,
                                    const std::string& model_name, int64_t version,
                                    BatchTasks batch) {
  std::vector<Task*> tasks;
  int64_t rows = 0;
  auto deadline = BatchClock::time_point::min();
  const auto started = BatchClock::now();
  for (auto& t : batch) {
    tasks.push_back(static_cast<Task*>(t.get()));
    rows += t->rows;
    deadline = std::max(deadline, t->deadline);
  }
  // Every request in the batch is charged the batch's phases, as Triton charges them.
  InferenceTimings phases;
  auto charge = [&] {
    for (Task* t : tasks) {
      if (!t->timings) continue;
      InferenceTimings mine = phases;
      mine.queue_ns = Nanos(started - t->enqueued);
      t->timings->Add(mine);
      t->timings->batched.store(true, std::memory_order_relaxed);
    }
  };
  auto fail_all = [&](const Status& status) {
    charge();
    for (Task* t : tasks) t->join->Finish(t->chunk, status);
  };
  const Task& first = *tasks.front();
  const int64_t padded = options.PaddedBatchSize(rows);
  const InnerDims inner =
      options.pad_variable_length_inputs ? InnerDims::kPadToLargest : InnerDims::kMustMatch;
  // A batch of one request with no padding runs on the request's own tensors and answers with
  // the outputs as they are: no copy in, no copy out (what an unbatched run costs).
  const bool alone = tasks.size() == 1 && padded == rows;
  std::map<std::string, Tensor> merged;
  if (alone) {
    merged = first.inputs;  // tensors share their buffers: no copy
  } else {
    for (const auto& [name, unused] : first.inputs) {
      std::vector<Tensor> parts;
      for (Task* t : tasks) parts.push_back(t->inputs.at(name));
      auto whole = ConcatRows(parts, padded, inner);
      if (!whole.ok()) return fail_all(whole.status().WithContext("batching input '" + name + "'"));
      merged.emplace(name, std::move(whole).value());
    }
  }
  const auto merged_at = BatchClock::now();
  phases.compute_input_ns = Nanos(merged_at - started);
  RunOptions run_options;
  run_options.deadline = deadline;
  // A batch may hold what its requests could have held alone.
  const int64_t per_request = TensorMemory::RunLimitBytes();
  run_options.memory =
      RunMemory::Create(per_request > 0 ? per_request * static_cast<int64_t>(tasks.size()) : 0);
  auto outputs =
      first.model->RunSignature(first.signature_name, merged, first.output_filter, run_options);
  const auto ran_at = BatchClock::now();
  phases.compute_infer_ns = Nanos(ran_at - merged_at);
  if (!outputs.ok()) return fail_all(outputs.status());
  for (const auto& [name, t] : *outputs) {
    if (t.rank() < 1 || t.dim(0) != padded) {
      return fail_all(FailedPrecondition(
          "signature '" + first.signature_name + "' output '" + name + "' is " + t.DebugString() +
          " for a batch of " + std::to_string(padded) +
          " rows; batching needs every output to keep the batch as dimension 0 (turn batching "
          "off for this model)"));
    }
  }
  std::vector<StatusOr<SignatureOutputs>> answers;
  if (alone) answers.push_back(std::move(outputs));
  int64_t at = 0;
  for (size_t i = alone ? 1 : 0; i < tasks.size(); ++i) {
    Task* t = tasks[i];
    SignatureOutputs mine;
    Status status;
    for (const auto& [name, whole] : *outputs) {
      auto part = SliceRows(whole, at, t->rows);
      if (!part.ok()) {
        status = part.status();
        break;
      }
      mine.emplace(name, std::move(part).value());
    }
    at += t->rows;
    answers.push_back(status.ok() ? StatusOr<SignatureOutputs>(std::move(mine))
                                  : StatusOr<SignatureOutputs>(status));
  }
  phases.compute_output_ns = Nanos(BatchClock::now() - ran_at);
  charge();
  if (metrics) {
    metrics->RecordExecution({.model = model_name,
                              .version = version,
                              .batch_size = padded,
                              .padding_rows = padded - rows,
                              .timings = phases,
                              .batched = true});
  }
  for (size_t i = 0; i < tasks.size(); ++i) {
    tasks[i]->join->Finish(tasks[i]->chunk, std::move(answers[i]));
  }
}

StatusOr<SignatureOutputs> SignatureBatcher::Run(SignatureRun run) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<StatusOr<SignatureOutputs>> result;
  };
  auto waiter = std::make_shared<Waiter>();
  const auto deadline = run.options.deadline;
  RunAsync(std::move(run), [waiter](StatusOr<SignatureOutputs> result) {
    {
      std::lock_guard<std::mutex> lock(waiter->mu);
      waiter->result = std::move(result);
    }
    waiter->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(waiter->mu);
  if (deadline == BatchClock::time_point::max()) {
    waiter->cv.wait(lock, [&] { return waiter->result.has_value(); });
  } else if (!waiter->cv.wait_until(lock, deadline, [&] { return waiter->result.has_value(); })) {
    return DeadlineExceeded("the request's deadline passed while it waited for its batch");
  }
  return std::move(*waiter->result);
}

}  // namespace tern
