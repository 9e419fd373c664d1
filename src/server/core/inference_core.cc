#include "server/core/inference_core.h"

#include <algorithm>
#include <chrono>

namespace tern {

StatusOr<ServableHandle> InferenceCore::GetServable(const ModelRef& ref) const {
  if (ref.name.empty()) return InvalidArgument("model name is empty");
  if (ref.label) return manager_->GetHandleByLabel(ref.name, *ref.label, ref.deadline);
  return manager_->GetHandle(ref.name, ref.version, ref.deadline);
}

StatusOr<const Signature*> InferenceCore::GetSignature(const ServableHandle& servable,
                                                       const std::string& signature_name) {
  return servable->model->FindSignature(signature_name.empty() ? "serving_default"
                                                               : signature_name);
}

namespace {

using Clock = std::chrono::steady_clock;

int64_t Nanos(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// The rows a request asks for (Triton's inference count): dimension 0 of its first input.
int64_t RequestRows(const std::map<std::string, Tensor>& inputs) {
  if (inputs.empty() || inputs.begin()->second.rank() < 1) return 1;
  return std::max<int64_t>(1, inputs.begin()->second.dim(0));
}

}  // namespace

void InferenceCore::RecordInference(const ServableHandle& servable, bool ok,
                                    Clock::time_point arrived, const InferenceTimings& timings,
                                    int64_t rows, bool batched, RequestPhases* phases) const {
  if (phases != nullptr) *phases = {arrived, timings};
  if (!metrics_) return;
  metrics_->RecordInference({.model = servable->model_name,
                             .version = servable->version,
                             .ok = ok,
                             .duration_ns = Nanos(Clock::now() - arrived),
                             .timings = timings,
                             .rows = rows,
                             .batched = batched});
}

StatusOr<std::map<std::string, Tensor>> InferenceCore::Predict(
    const ServableHandle& servable, const Signature& signature,
    const std::map<std::string, Tensor>& inputs, const std::vector<std::string>& output_filter,
    const RunOptions& options) const {
  return PredictArrivedAt(servable, signature, inputs, output_filter, options, Clock::now());
}

StatusOr<std::map<std::string, Tensor>> InferenceCore::PredictArrivedAt(
    const ServableHandle& servable, const Signature& signature,
    const std::map<std::string, Tensor>& inputs, const std::vector<std::string>& output_filter,
    const RunOptions& options, Clock::time_point arrived, RequestPhases* phases) const {
  const int64_t rows = RequestRows(inputs);
  if (batcher_ != nullptr) {
    auto timings = std::make_shared<RunTimings>();
    auto outputs =
        batcher_->Run({servable->model.get(), servable, servable->model_name, servable->version,
                       signature.name, inputs, output_filter, options, timings});
    RecordInference(servable, outputs.ok(), arrived, timings->Load(), rows, timings->batched.load(),
                    phases);
    return outputs;
  }
  InstancePool::Lease lease;
  if (servable->instances) {
    auto acquired = servable->instances->Acquire(options.deadline);
    if (!acquired.ok()) {
      RecordInference(servable, false, arrived, {}, rows, false, phases);
      return acquired.status();
    }
    lease = std::move(acquired).value();
  }
  // Run alone: the wait for an instance and a compute thread is its queue; its inputs are fed
  // and its outputs handed back as they are, so only the run itself is compute.
  const auto start = Clock::now();
  auto outputs = servable->model->RunSignature(signature.name, inputs, output_filter, options);
  InferenceTimings timings;
  timings.queue_ns = Nanos(start - arrived);
  timings.compute_infer_ns = Nanos(Clock::now() - start);
  if (metrics_ && outputs.ok()) {
    metrics_->RecordExecution({.model = servable->model_name,
                               .version = servable->version,
                               .batch_size = rows,
                               .timings = timings});
  }
  RecordInference(servable, outputs.ok(), arrived, timings, rows, false, phases);
  return outputs;
}

void InferenceCore::PredictAsync(const ServableHandle& servable, const Signature& signature,
                                 std::map<std::string, Tensor> inputs,
                                 std::vector<std::string> output_filter, const RunOptions& options,
                                 PredictDone done, std::shared_ptr<RequestPhases> phases) const {
  const auto arrived = Clock::now();
  // Held until `done` has run (the lambdas below own it), so it counts the request in flight
  // for as long as it queues, batches and runs.
  AdmissionControl::Ticket ticket;
  if (admission_ != nullptr) {
    auto admitted = admission_->Admit(
        servable->model_name, batcher_ == nullptr && compute_pool_ != nullptr, options.deadline);
    if (!admitted.ok()) return done(admitted.status());
    ticket = std::move(admitted).value();
  }
  if (batcher_ == nullptr) {
    if (compute_pool_ == nullptr) {
      return done(PredictArrivedAt(servable, signature, inputs, output_filter, options, arrived,
                                   phases.get()));
    }
    // The servable handle keeps the model (and so `signature`) alive until the run is over.
    compute_pool_->Schedule([this, servable, &signature, inputs = std::move(inputs),
                             output_filter = std::move(output_filter), options, arrived,
                             phases = std::move(phases), done = std::move(done),
                             ticket = std::move(ticket)] {
      done(PredictArrivedAt(servable, signature, inputs, output_filter, options, arrived,
                            phases.get()));
    });
    return;
  }
  const int64_t rows = RequestRows(inputs);
  auto timings = std::make_shared<RunTimings>();
  batcher_->RunAsync(
      {servable->model.get(), servable, servable->model_name, servable->version, signature.name,
       std::move(inputs), std::move(output_filter), options, timings},
      [this, servable, arrived, rows, timings, phases = std::move(phases), done = std::move(done),
       ticket = std::move(ticket)](StatusOr<SignatureOutputs> outputs) {
        RecordInference(servable, outputs.ok(), arrived, timings->Load(), rows,
                        timings->batched.load(), phases.get());
        done(std::move(outputs));
      });
}

StatusOr<const BatchingOptions*> InferenceCore::BatchingOptionsFor(
    const ServableHandle& servable) const {
  if (batcher_ == nullptr) return static_cast<const BatchingOptions*>(nullptr);
  return batcher_->OptionsFor(*servable->model);
}

StatusOr<std::vector<VersionStatus>> InferenceCore::GetModelStatus(const ModelRef& ref) const {
  TERN_ASSIGN_OR_RETURN(auto statuses, manager_->GetStatus(ref.name));
  std::optional<int64_t> version = ref.version;
  if (ref.label) {
    TERN_ASSIGN_OR_RETURN(version, manager_->ResolveLabel(ref.name, *ref.label));
  }
  if (!version) return statuses;
  for (const auto& s : statuses) {
    if (s.version == *version) return std::vector<VersionStatus>{s};
  }
  return NotFound("Could not find version " + std::to_string(*version) + " of model " + ref.name);
}

}  // namespace tern
