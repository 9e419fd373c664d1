#include "server/kserve/trace.h"

#include <charconv>
#include <fstream>

#include "common/logging.h"
#include "server/codec/json_internal.h"

namespace tern {
namespace {

using json_internal::Json;

StatusOr<int64_t> OneInteger(const std::string& name, const std::vector<std::string>& values,
                             int64_t min) {
  if (values.size() != 1) {
    return InvalidArgument("trace setting '" + name + "' takes one value, got " +
                           std::to_string(values.size()));
  }
  const std::string& text = values[0];
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min) {
    return InvalidArgument("trace setting '" + name + "' must be an integer >= " +
                           std::to_string(min) + ", got \"" + text + "\"");
  }
  return v;
}

StatusOr<bool> TraceLevelOn(const std::vector<std::string>& values) {
  bool on = false;
  for (const auto& v : values) {
    if (v == "TIMESTAMPS") {
      on = true;
    } else if (v == "TENSORS") {
      return InvalidArgument(
          "trace_level TENSORS is not supported: Tern traces timestamps only (use TIMESTAMPS)");
    } else if (v != "OFF") {
      return InvalidArgument("trace_level \"" + v + "\" is not one of OFF, TIMESTAMPS");
    }
  }
  if (values.empty()) return InvalidArgument("trace_level needs a value (OFF or TIMESTAMPS)");
  return on;
}

int64_t Nanos(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

void RequestTrace::Stamp(const char* name, std::chrono::steady_clock::time_point at) {
  timestamps.emplace_back(name, Nanos(at));
}

InferenceTracer::InferenceTracer(std::string trace_file) : trace_file_(std::move(trace_file)) {}

InferenceTracer::~InferenceTracer() {
  std::lock_guard<std::mutex> lock(mu_);
  if (buffer_.empty() || trace_file_.empty()) return;
  WriteLocked(log_frequency_ > 0 ? trace_file_ + "." + std::to_string(file_index_) : trace_file_);
}

TraceSettingValues InferenceTracer::Settings(const std::string& model) const {
  std::lock_guard<std::mutex> lock(mu_);
  Config c = global_;
  if (auto it = models_.find(model); it != models_.end()) {
    if (it->second.on) c.on = it->second.on;
    if (it->second.rate) c.rate = it->second.rate;
    if (it->second.count) c.count = it->second.count;
  }
  return {{"trace_file", {trace_file_}},
          {"trace_level", {*c.on ? "TIMESTAMPS" : "OFF"}},
          {"trace_rate", {std::to_string(*c.rate)}},
          {"trace_count", {std::to_string(*c.count)}},
          {"log_frequency", {std::to_string(log_frequency_)}},
          {"trace_mode", {"triton"}}};
}

Status InferenceTracer::Apply(const TraceSettingChanges& changes, bool model_level, Config* config,
                              std::optional<int64_t>* log_frequency) const {
  for (const auto& [name, values] : changes) {
    const bool clear = !values || (model_level && values->empty());
    if (clear && !model_level) {
      return InvalidArgument("trace setting '" + name +
                             "' cannot be cleared server-wide (only a model's setting can)");
    }
    if (name == "trace_level") {
      if (clear) {
        config->on.reset();
      } else {
        TERN_ASSIGN_OR_RETURN(bool on, TraceLevelOn(*values));
        config->on = on;
      }
    } else if (name == "trace_rate") {
      if (clear) {
        config->rate.reset();
      } else {
        TERN_ASSIGN_OR_RETURN(config->rate, OneInteger(name, *values, 1));
      }
      config->seen = 0;
    } else if (name == "trace_count") {
      if (clear) {
        config->count.reset();
      } else {
        TERN_ASSIGN_OR_RETURN(config->count, OneInteger(name, *values, -1));
      }
    } else if (name == "log_frequency") {
      if (model_level) {
        return InvalidArgument(
            "trace setting 'log_frequency' is server-wide in Tern (one trace file); set it "
            "without a model name");
      }
      TERN_ASSIGN_OR_RETURN(int64_t frequency, OneInteger(name, *values, 0));
      *log_frequency = frequency;
    } else if (name == "trace_file") {
      if (clear || values->size() != 1 || (*values)[0] != trace_file_) {
        return InvalidArgument(
            "trace setting 'trace_file' cannot be changed through the API (a client must not "
            "choose where the server writes); start tern with --trace_file");
      }
    } else if (name == "trace_mode") {
      if (!clear && (values->size() != 1 || (*values)[0] != "triton")) {
        return InvalidArgument(
            "trace_mode must be \"triton\" (Triton's trace file); OpenTelemetry export is not "
            "implemented");
      }
    } else {
      return InvalidArgument("unknown trace setting '" + name +
                             "' (settings: trace_file, trace_level, trace_rate, trace_count, "
                             "log_frequency, trace_mode)");
    }
  }
  return Status::Ok();
}

Status InferenceTracer::Update(const std::string& model, const TraceSettingChanges& changes) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool model_level = !model.empty();
  Config config = global_;
  if (model_level) {
    auto it = models_.find(model);
    config = it == models_.end() ? Config{} : it->second;
  }
  std::optional<int64_t> log_frequency;
  TERN_RETURN_IF_ERROR(Apply(changes, model_level, &config, &log_frequency));
  if (config.on.value_or(false) && trace_file_.empty()) {
    return FailedPrecondition(
        "tracing needs a trace file: start tern with --trace_file=PATH to turn trace_level on");
  }
  if (model_level) {
    if (!config.on && !config.rate && !config.count) {
      models_.erase(model);
    } else {
      models_[model] = config;
    }
  } else {
    global_ = config;
  }
  if (log_frequency) {
    log_frequency_ = *log_frequency;
    if (log_frequency_ > 0 && static_cast<int64_t>(buffer_.size()) >= log_frequency_) {
      WriteLocked(trace_file_ + "." + std::to_string(file_index_++));
    }
  }
  bool any = *global_.on;
  for (const auto& [name, c] : models_) any = any || c.on.value_or(false);
  any_on_.store(any);
  TERN_LOG(Info) << "trace settings" << (model_level ? " of model " + model : std::string())
                 << ": level " << (config.on ? (*config.on ? "TIMESTAMPS" : "OFF") : "(server's)")
                 << ", log_frequency " << log_frequency_;
  return Status::Ok();
}

std::unique_ptr<RequestTrace> InferenceTracer::Sample(const std::string& model) {
  if (!any_on_.load(std::memory_order_relaxed)) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  auto own = models_.find(model);
  Config* model_config = own == models_.end() ? nullptr : &own->second;
  const bool on = model_config && model_config->on ? *model_config->on : *global_.on;
  if (!on) return nullptr;
  // A model that sets its own rate samples on its own; the others share the server's sequence.
  Config& rate_holder = model_config && model_config->rate ? *model_config : global_;
  Config& count_holder = model_config && model_config->count ? *model_config : global_;
  if (*count_holder.count == 0) return nullptr;
  if (rate_holder.seen++ % static_cast<uint64_t>(*rate_holder.rate) != 0) return nullptr;
  if (*count_holder.count > 0) --*count_holder.count;
  auto trace = std::make_unique<RequestTrace>();
  trace->id = next_id_.fetch_add(1);
  trace->model_name = model;
  return trace;
}

void InferenceTracer::Finish(const RequestTrace& trace) {
  Json stamps = Json::array();
  for (const auto& [name, ns] : trace.timestamps) stamps.push_back({{"name", name}, {"ns", ns}});
  const std::string entry = Json{{"id", trace.id},
                                 {"model_name", trace.model_name},
                                 {"model_version", trace.model_version}}
                                .dump() +
                            "," + Json{{"id", trace.id}, {"timestamps", std::move(stamps)}}.dump();
  std::lock_guard<std::mutex> lock(mu_);
  buffer_.push_back(entry);
  if (log_frequency_ > 0 && static_cast<int64_t>(buffer_.size()) >= log_frequency_) {
    WriteLocked(trace_file_ + "." + std::to_string(file_index_++));
  }
}

void InferenceTracer::WriteLocked(const std::string& path) {
  std::string out = "[";
  for (size_t i = 0; i < buffer_.size(); ++i) out += (i ? ",\n" : "\n") + buffer_[i];
  out += "\n]\n";
  std::ofstream file(path, std::ios::trunc);
  file << out;
  file.close();
  if (!file) {
    TERN_LOG(Warning) << "could not write " << buffer_.size() << " traces to " << path;
  }
  buffer_.clear();
}

}  // namespace tern
