#include "server/kserve/kserve_service.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "common/logging.h"
#include "server/kserve/kserve_tensor.h"

namespace tern {
namespace {

StatusOr<V2TensorMetadata> TensorMetadata(const std::string& name, const SignatureTensor& t) {
  V2TensorMetadata m;
  m.name = name;
  TERN_ASSIGN_OR_RETURN(m.datatype, V2DatatypeName(t.dtype));
  if (t.unknown_rank) {
    m.shape = {-1};
  } else {
    m.shape = t.dims;
  }
  return m;
}

// Checks the request's inputs and outputs against the signature; returns the outputs to fetch
// (the signature's, in its order, when the request names none).
StatusOr<std::vector<std::string>> CheckInferRequest(const V2InferRequest& request,
                                                     const std::string& model_name,
                                                     const Signature& signature) {
  for (const auto& [name, tensor] : request.inputs) {
    auto it = signature.inputs.find(name);
    if (it == signature.inputs.end()) {
      std::string known;
      for (const auto& [k, v] : signature.inputs) known += (known.empty() ? "" : ", ") + k;
      return InvalidArgument("unexpected inference input '" + name + "' for model '" + model_name +
                             "' (inputs: " + known + ")");
    }
    if (it->second.dtype != tensor.dtype()) {
      auto want = V2DatatypeName(it->second.dtype);
      auto got = V2DatatypeName(tensor.dtype());
      return InvalidArgument("input '" + name + "': datatype " + (got.ok() ? *got : "?") +
                             " does not match the model's " + (want.ok() ? *want : "?"));
    }
  }
  for (const auto& [name, t] : signature.inputs) {
    if (request.inputs.count(name) == 0) {
      return InvalidArgument("missing inference input '" + name + "' for model '" + model_name +
                             "'");
    }
  }
  std::vector<std::string> names = request.outputs;
  for (const auto& name : names) {
    if (signature.outputs.count(name) == 0) {
      return InvalidArgument("unknown requested output '" + name + "' for model '" + model_name +
                             "'");
    }
  }
  if (names.empty()) {
    for (const auto& [name, t] : signature.outputs) names.push_back(name);
  }
  for (const auto& [name, slice] : request.output_shared_memory) {
    if (signature.outputs.count(name) == 0) {
      return InvalidArgument("unknown requested output '" + name + "' for model '" + model_name +
                             "'");
    }
  }
  for (const auto& [name, k] : request.classification) {
    if (std::find(request.outputs.begin(), request.outputs.end(), name) == request.outputs.end()) {
      return InvalidArgument("classification asked for output '" + name +
                             "', which the request does not name in 'outputs'");
    }
    if (k < 1) {
      return InvalidArgument("output '" + name + "': classification must be at least 1, got " +
                             std::to_string(k));
    }
  }
  return names;
}

// Whether the model batches as Triton sees it (the config's max_batch_size > 0): every input
// and output has a known rank and a leading dimension of unknown size.
bool Batchable(const Signature& signature) {
  bool batchable = !signature.inputs.empty();
  for (const auto* list : {&signature.inputs, &signature.outputs}) {
    for (const auto& [name, t] : *list) {
      batchable = batchable && !t.unknown_rank && !t.dims.empty() && t.dims[0] == -1;
    }
  }
  return batchable;
}

}  // namespace

const std::vector<std::string>& KServeService::Extensions() {
  static const auto* extensions = new std::vector<std::string>{"binary_tensor_data",
                                                               "classification",
                                                               "model_configuration",
                                                               "statistics",
                                                               "model_repository",
                                                               "system_shared_memory",
                                                               "trace",
                                                               "logging"};
  return *extensions;
}

StatusOr<ModelRef> KServeService::ParseModelRef(const std::string& name,
                                                const std::string& version) {
  if (name.empty()) return InvalidArgument("model name is empty");
  ModelRef ref;
  ref.name = name;
  if (!version.empty()) {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(version.data(), version.data() + version.size(), v);
    if (ec != std::errc() || ptr != version.data() + version.size()) {
      return InvalidArgument("model version '" + version + "' of model " + name +
                             " is not an integer");
    }
    ref.version = v;
  }
  return ref;
}

bool KServeService::ServerReady() const {
  if (draining_.load()) return false;
  const auto names = service_->ModelNames();
  if (names.empty()) return false;
  for (const auto& name : names) {
    auto ready = ModelReady(ModelRef{name, std::nullopt, std::nullopt});
    if (!ready.ok() || !*ready) return false;
  }
  return true;
}

StatusOr<bool> KServeService::ModelReady(const ModelRef& ref) const {
  TERN_ASSIGN_OR_RETURN(auto statuses,
                        service_->GetModelStatus(ModelRef{ref.name, std::nullopt, std::nullopt}));
  for (const auto& s : statuses) {
    // START: at zero instances, loaded by the next request (scale from zero), so ready.
    const bool serves =
        s.state == VersionState::kAvailable || (s.state == VersionState::kStart && s.status.ok());
    if (serves && (!ref.version || *ref.version == s.version)) {
      return true;
    }
  }
  return false;
}

StatusOr<V2ModelMetadata> KServeService::ModelMetadata(const ModelRef& ref) const {
  TERN_ASSIGN_OR_RETURN(ServableHandle servable, service_->GetServable(ref));
  TERN_ASSIGN_OR_RETURN(const Signature* signature, InferenceCore::GetSignature(servable, ""));
  V2ModelMetadata m;
  m.name = servable->model_name;
  m.runtime = servable->model->runtime_name();
  m.runtime_reason = servable->runtime_reason;
  TERN_ASSIGN_OR_RETURN(auto statuses,
                        service_->GetModelStatus(ModelRef{ref.name, std::nullopt, std::nullopt}));
  for (const auto& s : statuses) {
    if (s.state == VersionState::kAvailable) m.versions.push_back(std::to_string(s.version));
  }
  for (const auto& [name, t] : signature->inputs) {
    TERN_ASSIGN_OR_RETURN(auto meta, TensorMetadata(name, t));
    m.inputs.push_back(std::move(meta));
  }
  for (const auto& [name, t] : signature->outputs) {
    TERN_ASSIGN_OR_RETURN(auto meta, TensorMetadata(name, t));
    m.outputs.push_back(std::move(meta));
  }
  return m;
}

StatusOr<V2ModelConfig> KServeService::ModelConfig(const ModelRef& ref) const {
  TERN_ASSIGN_OR_RETURN(V2ModelMetadata m, ModelMetadata(ref));
  V2ModelConfig config;
  config.name = m.name;
  config.platform = m.platform;
  TERN_ASSIGN_OR_RETURN(ServableHandle servable, service_->GetServable(ref));
  TERN_ASSIGN_OR_RETURN(const Signature* signature, InferenceCore::GetSignature(servable, ""));
  const bool batchable = Batchable(*signature);
  config.inputs = std::move(m.inputs);
  config.outputs = std::move(m.outputs);
  if (batchable) {
    config.max_batch_size = options_.config_max_batch_size;
    for (auto* list : {&config.inputs, &config.outputs}) {
      for (auto& t : *list) t.shape.erase(t.shape.begin());
    }
    // A batched model reports its real limit, so Triton clients size their batches to it.
    TERN_ASSIGN_OR_RETURN(const BatchingOptions* batching, service_->BatchingOptionsFor(servable));
    if (batching != nullptr) {
      config.max_batch_size = static_cast<int32_t>(
          std::min<int64_t>(batching->max_batch_size, std::numeric_limits<int32_t>::max()));
      V2DynamicBatching dynamic;
      dynamic.preferred_batch_size = batching->allowed_batch_sizes;
      dynamic.max_queue_delay_microseconds = batching->batch_timeout_micros;
      config.dynamic_batching = std::move(dynamic);
    }
  }
  for (auto* list : {&config.inputs, &config.outputs}) {
    for (auto& t : *list) t.datatype = t.datatype == "BYTES" ? "TYPE_STRING" : "TYPE_" + t.datatype;
  }
  return config;
}

StatusOr<std::vector<V2ModelStatistics>> KServeService::ModelStatistics(
    const std::string& name, const std::string& version) const {
  std::vector<std::string> names;
  if (name.empty()) {
    if (!version.empty()) return InvalidArgument("a model version needs a model name");
    names = service_->ModelNames();
  } else {
    names.push_back(name);
  }
  TERN_ASSIGN_OR_RETURN(ModelRef ref, ParseModelRef(name.empty() ? "-" : name, version));
  const InferenceStatistics* recorded = service_->statistics();
  std::vector<V2ModelStatistics> out;
  for (const auto& model : names) {
    TERN_ASSIGN_OR_RETURN(auto statuses,
                          service_->GetModelStatus(ModelRef{model, std::nullopt, std::nullopt}));
    bool found = false;
    // GetModelStatus lists the highest version first; Triton's answer lists them ascending.
    for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
      if (ref.version && *ref.version != it->version) continue;
      found = true;
      V2ModelStatistics entry{model, it->version, {}};
      if (recorded) entry.stats = recorded->Get(model, it->version);
      const bool used = entry.stats.success.count + entry.stats.fail.count > 0;
      if (ref.version || used || it->state == VersionState::kAvailable) {
        out.push_back(std::move(entry));
      }
    }
    if (ref.version && !found) {
      return NotFound("model " + model + " has no version " + std::to_string(*ref.version));
    }
  }
  return out;
}

void KServeService::InferAsync(V2InferRequest request, const RunOptions& options,
                               InferDone done) const {
  TERN_VLOG(1) << "v2 infer request for model " << request.model.name << " ("
               << request.inputs.size() << " inputs, " << request.output_shared_memory.size()
               << " outputs into shared memory)";
  std::shared_ptr<RequestPhases> phases;
  RequestTrace* trace = nullptr;
  if (auto sampled = tracer_->Sample(request.model.name)) {
    trace = sampled.get();
    done = TracedDone(std::move(sampled), std::move(done), &phases);
  }
  ModelRef ref = request.model;
  ref.deadline = std::min(ref.deadline, options.deadline);  // bounds a wait for a model at zero
  auto servable = service_->GetServable(ref);
  if (!servable.ok()) return done(servable.status());
  if (trace != nullptr) trace->model_version = (*servable)->version;
  auto signature = InferenceCore::GetSignature(*servable, request.signature_name);
  if (!signature.ok()) return done(signature.status());
  auto names = CheckInferRequest(request, (*servable)->model_name, **signature);
  if (!names.ok()) return done(names.status());
  service_->PredictAsync(
      *servable, **signature, std::move(request.inputs), *names, options,
      [servable = *servable, names = *names, classification = std::move(request.classification),
       batched = Batchable(**signature), labels = labels_,
       shared_memory = std::move(request.output_shared_memory),
       done = std::move(done)](StatusOr<std::map<std::string, Tensor>> outputs) {
        if (!outputs.ok()) return done(outputs.status());
        V2InferResult result;
        result.model_name = servable->model_name;
        result.version = servable->version;
        for (const auto& name : names) {
          auto it = outputs->find(name);
          if (it == outputs->end()) {
            return done(Internal("signature did not produce output '" + name + "'"));
          }
          if (auto k = classification.find(name); k != classification.end()) {
            auto names_of = labels->For(servable->path, name);
            if (!names_of.ok()) return done(names_of.status());
            auto classes = Classify(it->second, k->second, batched, names_of->get(), name);
            if (!classes.ok()) return done(classes.status());
            it->second = std::move(classes).value();
          }
          if (auto slice = shared_memory.find(name); slice != shared_memory.end()) {
            auto written =
                WriteTensorToSharedMemory(slice->second, it->second, "output '" + name + "'");
            if (!written.ok()) return done(written.status());
            result.shared_memory_outputs[name] = {slice->second.region->name(), *written};
          }
          result.outputs.emplace_back(name, std::move(it->second));
        }
        done(std::move(result));
      },
      std::move(phases));
}

KServeService::InferDone KServeService::TracedDone(std::unique_ptr<RequestTrace> trace,
                                                   InferDone done,
                                                   std::shared_ptr<RequestPhases>* phases) const {
  using Clock = std::chrono::steady_clock;
  trace->Stamp("REQUEST_START", Clock::now());
  *phases = std::make_shared<RequestPhases>();
  return [trace = std::shared_ptr<RequestTrace>(std::move(trace)), phases = *phases,
          tracer = tracer_, done = std::move(done)](StatusOr<V2InferResult> result) {
    // The core's phases follow one another from the request's arrival; a request refused
    // before it reached the core has none.
    if (phases->arrived != Clock::time_point()) {
      const InferenceTimings& t = phases->timings;
      Clock::time_point at = phases->arrived;
      trace->Stamp("QUEUE_START", at);
      at += std::chrono::nanoseconds(t.queue_ns);
      trace->Stamp("COMPUTE_START", at);
      at += std::chrono::nanoseconds(t.compute_input_ns);
      trace->Stamp("COMPUTE_INPUT_END", at);
      at += std::chrono::nanoseconds(t.compute_infer_ns);
      trace->Stamp("COMPUTE_OUTPUT_START", at);
      at += std::chrono::nanoseconds(t.compute_output_ns);
      trace->Stamp("COMPUTE_END", at);
    }
    trace->Stamp("REQUEST_END", Clock::now());
    tracer->Finish(*trace);
    done(std::move(result));
  };
}

}  // namespace tern
