#include "loader/model_manager.h"

#include <malloc.h>

#include <algorithm>
#include <filesystem>

#include "common/logging.h"
#include "common/startup_trace.h"
#include "common/thread_name.h"
#include "loader/memory_budget.h"
#include "loader/model_loader.h"
#include "loader/version_check.h"
#include "loader/version_dirs.h"
#include "loader/warmup.h"

namespace tern {
namespace {

// Names, sizes and modification times of every file under dir: changes when a copy progresses.
std::string Fingerprint(const std::string& dir) {
  namespace fs = std::filesystem;
  std::string out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code file_ec;
    const auto size = it->is_regular_file(file_ec) ? it->file_size(file_ec) : 0;
    const auto mtime = fs::last_write_time(it->path(), file_ec).time_since_epoch().count();
    out += it->path().string() + ":" + std::to_string(size) + ":" + std::to_string(mtime) + ";";
  }
  return out;
}

// Watches the base path and every version directory (with its variables); returns the
// versions on disk.
std::set<int64_t> WatchVersionDirs(const std::string& base_path,
                                   const std::map<int64_t, std::string>& on_disk,
                                   std::set<std::string>* watch) {
  watch->insert(base_path);
  std::set<int64_t> present;
  for (const auto& [version, path] : on_disk) {
    present.insert(version);
    watch->insert(path);
    watch->insert(path + "/variables");
  }
  return present;
}

std::string VersionNotFound(const std::string& model, std::optional<int64_t> version) {
  if (version) {
    return "Servable not found for request: Specific(" + model + ", " + std::to_string(*version) +
           ")";
  }
  return "Servable not found for request: Latest(" + model + ")";
}

}  // namespace

std::string_view VersionStateName(VersionState state) {
  switch (state) {
    case VersionState::kStart: return "START";
    case VersionState::kLoading: return "LOADING";
    case VersionState::kAvailable: return "AVAILABLE";
    case VersionState::kUnloading: return "UNLOADING";
    case VersionState::kEnd: return "END";
  }
  return "UNKNOWN";
}

ModelManager::ModelManager(Options options)
    : options_(std::move(options)), watcher_(DirWatcher::Create()) {}

std::unique_ptr<ModelManager> ModelManager::Create(Options options) {
  if (!options.clock) options.clock = [] { return std::chrono::steady_clock::now(); };
  return std::unique_ptr<ModelManager>(new ModelManager(std::move(options)));
}

ModelManager::~ModelManager() { Stop(); }

void ModelManager::SetConfig(std::vector<ServedModelConfig> configs) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    configs_ = std::move(configs);
  }
  watcher_->Interrupt();
}

Status ModelManager::ReloadConfig(std::vector<ServedModelConfig> configs) {
  std::set<std::string> known;
  for (const auto& c : config()) known.insert(c.name);
  std::vector<std::string> added;
  for (const auto& c : configs) {
    if (!known.count(c.name) && c.min_instances > 0) added.push_back(c.name);
  }
  SetConfig(std::move(configs));
  Step();
  return CheckAvailable(added);
}

// TF Serving's answer to a reload whose new models did not load: how many, and why each.
Status ModelManager::CheckAvailable(const std::vector<std::string>& models) const {
  std::lock_guard<std::mutex> lock(mu_);
  int unavailable = 0;
  std::string details;
  for (const auto& name : models) {
    auto it = statuses_.find(name);
    const bool available = it != statuses_.end() &&
                           std::any_of(it->second.begin(), it->second.end(), [](const auto& v) {
                             return v.second.state == VersionState::kAvailable;
                           });
    if (available) continue;
    ++unavailable;
    details += "{name: " + name;
    if (it != statuses_.end() && !it->second.empty()) {
      const VersionStatus& latest = it->second.rbegin()->second;
      details += " version: " + std::to_string(latest.version);
      if (!latest.status.ok()) details += " due to error: " + latest.status.ToString();
    } else {
      details += " (no version found under its base path)";
    }
    details += "}, ";
  }
  if (unavailable == 0) return Status::Ok();
  return Status(StatusCode::kUnknown, std::to_string(unavailable) +
                                          " model(s) did not become available: {" + details + "}");
}

std::vector<ServedModelConfig> ModelManager::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return configs_;
}

void ModelManager::SetStatus(const std::string& model, VersionStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  statuses_[model][status.version] = std::move(status);
}

void ModelManager::Publish(const std::function<void(ServingMap&)>& edit) {
  std::lock_guard<std::mutex> lock(mu_);
  auto next = std::make_shared<ServingMap>(*serving_.load());
  edit(*next);
  serving_.store(std::move(next));
}

void ModelManager::Step() {
  std::lock_guard<std::mutex> step_lock(step_mu_);
  const std::vector<ServedModelConfig> configs = config();
  std::set<std::string> names;
  for (const auto& c : configs) names.insert(c.name);

  // Models dropped from the config: unload every version, forget the model.
  for (auto it = states_.begin(); it != states_.end();) {
    if (names.count(it->first)) {
      ++it;
      continue;
    }
    const std::string model = it->first;
    TERN_LOG(Info) << "Model '" << model << "' was removed from the config; unloading it";
    std::vector<int64_t> loaded;
    for (const auto& [version, slot] : it->second.slots) {
      if (slot.loaded) {
        loaded.push_back(version);
      } else if (slot.failures == 0) {
        SetStatus(model, {version, VersionState::kEnd, Status::Ok()});
      }
    }
    for (int64_t version : loaded) Unload(model, version, &it->second);
    Publish([&](ServingMap& map) { map.erase(model); });
    if (DemandPending(model)) FinishDemand(model, "the model was removed from the config");
    it = states_.erase(it);
  }

  next_retry_ = std::chrono::steady_clock::time_point::max();
  std::set<std::string> watch;
  for (const auto& c : configs) StepModel(c, &watch);
  RetireFreed();
  watcher_->Watch(watch);
}

void ModelManager::StepModel(const ServedModelConfig& config, std::set<std::string>* watch) {
  ModelState& state = PrepareModelState(config);
  // A request waits for this model at zero: this pass answers it, whatever happens.
  const bool demanded = DemandPending(config.name);
  std::string demand_error;
  struct FinishOnReturn {
    ModelManager* self;
    const std::string& model;
    const bool& demanded;
    const std::string& error;
    ~FinishOnReturn() {
      if (demanded) self->FinishDemand(model, error);
    }
  } finish{this, config.name, demanded, demand_error};

  auto listed = ListVersionDirs(config.base_path);
  if (!listed.ok()) {
    // Keep serving what is loaded: a base path that vanishes for a moment (remount, rename of
    // a parent) must not take the model down.
    TERN_LOG(Warning) << "model '" << config.name << "': " << listed.status().message();
    demand_error = listed.status().message();
    return;
  }
  const std::map<int64_t, std::string>& on_disk = *listed;
  const std::set<int64_t> present = WatchVersionDirs(config.base_path, on_disk, watch);
  const std::set<int64_t> aspired = AspiredVersions(config.policy, present);

  bool any_loaded = AnyLoaded(state);
  const auto now = Now();
  if (state.on_demand && any_loaded && !demanded && config.idle_unload_seconds > 0) {
    any_loaded = !ScaleToZeroIfIdle(config, now, &state);
  }
  // An on-demand model at zero loads nothing until a request asks; a loaded one follows its
  // policy like any other (new versions hot-swap in).
  if (!state.on_demand || any_loaded || demanded) {
    LoadAspired(config, on_disk, aspired, now, &state);
  } else {
    MarkStartAtZero(config.name, aspired, state);
  }
  ForgetUnwantedFailures(aspired, &state);
  UnloadReplaced(config.name, aspired, present, &state);

  const bool loaded_now = AnyLoaded(state);
  state.instances->SetLoaded(loaded_now);
  if (demanded && !loaded_now) demand_error = DemandFailure(config, aspired, state);
  PublishModel(config, state, !aspired.empty());
}

void ModelManager::PublishModel(const ServedModelConfig& config, const ModelState& state,
                                bool any_aspired) {
  Publish([&](ServingMap& map) {
    ServedModel& served = map[config.name];
    if (served.labels != config.version_labels) served.labels = config.version_labels;
    served.instances = state.instances;
    served.on_demand = state.on_demand;
    served.loadable = state.on_demand && any_aspired;
  });
}

ModelManager::ModelState& ModelManager::PrepareModelState(const ServedModelConfig& config) {
  ModelState& state = states_[config.name];
  {
    std::lock_guard<std::mutex> lock(mu_);
    statuses_[config.name];  // the model is known from now on, even before a version loads
  }
  if (!state.instances) {
    state.instances = InstancePool::Create({config.name, options_.metrics});
    state.instances->Touch(NowNs());
  }
  state.instances->SetLimits(config.min_instances, config.max_instances);
  state.on_demand = config.min_instances == 0;
  return state;
}

bool ModelManager::AnyLoaded(const ModelState& state) {
  bool any_loaded = false;
  for (const auto& [version, slot] : state.slots) any_loaded |= slot.loaded;
  return any_loaded;
}

// Idle scale to zero: every version goes once no request has come for idle_unload_seconds
// and none is in flight.
bool ModelManager::ScaleToZeroIfIdle(const ServedModelConfig& config,
                                     std::chrono::steady_clock::time_point now, ModelState* state) {
  const auto idle_for = std::chrono::seconds(config.idle_unload_seconds);
  const auto last_used = std::chrono::steady_clock::time_point(
      std::chrono::steady_clock::duration(state->instances->last_used_ns()));
  if (now - last_used < idle_for) {
    next_retry_ = std::min(next_retry_, last_used + idle_for);
    return false;
  }
  if (!UnloadToZero(config.name, state)) {
    next_retry_ = std::min(next_retry_, now + std::chrono::milliseconds(100));  // in flight
    return false;
  }
  TERN_LOG(Info) << "Model '" << config.name << "' scaled to zero after "
                 << config.idle_unload_seconds << " s without requests";
  return true;
}

// At zero: the versions that would load on demand are START (known, not loaded), unless a
// failed attempt's error is still the news.
void ModelManager::MarkStartAtZero(const std::string& model, const std::set<int64_t>& aspired,
                                   const ModelState& state) {
  for (int64_t v : aspired) {
    if (state.slots.count(v)) continue;
    bool retiring = false;
    for (const auto& r : retiring_) retiring |= r.model == model && r.version == v;
    if (!retiring) SetStatus(model, {v, VersionState::kStart, Status::Ok()});
  }
}

// Loads what the policy wants, newest first.
void ModelManager::LoadAspired(const ServedModelConfig& config,
                               const std::map<int64_t, std::string>& on_disk,
                               const std::set<int64_t>& aspired,
                               std::chrono::steady_clock::time_point now, ModelState* state) {
  for (auto it = aspired.rbegin(); it != aspired.rend(); ++it) {
    Slot& slot = state->slots[*it];
    if (slot.loaded) continue;
    const std::string& path = on_disk.at(*it);
    if (slot.failures > 0 && Fingerprint(path) == slot.fingerprint) {
      const bool gave_up =
          options_.max_load_retries >= 0 && slot.failures > options_.max_load_retries;
      if (gave_up) continue;  // until its files change
      if (now < slot.next_retry) {
        next_retry_ = std::min(next_retry_, slot.next_retry);
        continue;
      }
    }
    const int64_t bytes = EstimateVersionBytes(path);
    if (!FitBudget(config.name, bytes)) {
      const std::string why = OverBudgetMessage(config.name, *it, bytes);
      if (state->on_demand) {
        slot.last_error = why;
        TERN_LOG(Warning) << why;
        continue;  // retried on the next request, when room may have freed
      }
      TERN_LOG(Warning) << why << "; loading it anyway since it has min_instances >= 1";
    }
    slot.memory_bytes = bytes;
    if (!LoadVersion(config, *it, path, &slot)) {
      next_retry_ = std::min(next_retry_, slot.next_retry);
    }
  }
}

std::string ModelManager::OverBudgetMessage(const std::string& model, int64_t version,
                                            int64_t bytes) const {
  std::string shortfall = BudgetShortfall(bytes, LoadedBytesLocked(), options_.memory_budget_bytes);
  if (shortfall.empty()) shortfall = "the memory budget";
  return "loading model '" + model + "' version " + std::to_string(version) + " (about " +
         Megabytes(bytes) + ") would exceed " + shortfall +
         " and no idle on-demand model is left to unload";
}

// Versions that failed and are no longer wanted (or gone) are forgotten; their statuses keep
// the last error.
void ModelManager::ForgetUnwantedFailures(const std::set<int64_t>& aspired, ModelState* state) {
  for (auto it = state->slots.begin(); it != state->slots.end();) {
    if (!it->second.loaded && !aspired.count(it->first)) {
      it = state->slots.erase(it);
    } else {
      ++it;
    }
  }
}

// Availability first: a version leaves only once what replaces it serves. One whose
// directory is gone leaves as soon as any wanted version serves (or none is wanted at all).
void ModelManager::UnloadReplaced(const std::string& model, const std::set<int64_t>& aspired,
                                  const std::set<int64_t>& present, ModelState* state) {
  bool all_aspired_loaded = true, any_aspired_loaded = false;
  for (int64_t v : aspired) {
    const bool loaded = state->slots.count(v) && state->slots[v].loaded;
    all_aspired_loaded &= loaded;
    any_aspired_loaded |= loaded;
  }
  std::vector<int64_t> to_unload;
  for (const auto& [version, slot] : state->slots) {
    if (!slot.loaded || aspired.count(version)) continue;
    const bool gone = !present.count(version);
    if (aspired.empty() || all_aspired_loaded || (gone && any_aspired_loaded)) {
      to_unload.push_back(version);
    }
  }
  for (int64_t version : to_unload) Unload(model, version, state);
}

// Why a request waiting for the model gets no version: the newest wanted version's error.
std::string ModelManager::DemandFailure(const ServedModelConfig& config,
                                        const std::set<int64_t>& aspired, const ModelState& state) {
  if (aspired.empty()) {
    return "no version directory under base path '" + config.base_path +
           "' matches its version policy";
  }
  for (auto it = aspired.rbegin(); it != aspired.rend(); ++it) {
    auto slot = state.slots.find(*it);
    if (slot != state.slots.end() && !slot->second.last_error.empty()) {
      return slot->second.last_error;
    }
  }
  return "no version could be loaded";
}

bool ModelManager::DemandPending(const std::string& model) const {
  std::lock_guard<std::mutex> lock(demand_mu_);
  auto it = demands_.find(model);
  return it != demands_.end() && it->second.pending;
}

void ModelManager::FinishDemand(const std::string& model, const std::string& error) {
  {
    std::lock_guard<std::mutex> lock(demand_mu_);
    Demand& demand = demands_[model];
    demand.pending = false;
    demand.completed++;
    demand.error = error;
  }
  demand_cv_.notify_all();
}

bool ModelManager::UnloadToZero(const std::string& model, ModelState* state) {
  // The serving map holds one reference to each version; any other is a request in flight
  // (or a batch queued for it). Step holds step_mu_, so no publish copies the map meanwhile.
  std::shared_ptr<const ServingMap> snapshot = serving_.load();
  auto served = snapshot->find(model);
  if (served != snapshot->end()) {
    for (const auto& [version, handle] : served->second.versions) {
      // this snapshot copy and the live map's entry are the same shared_ptr object
      if (handle.use_count() > 1) return false;
    }
  }
  snapshot.reset();
  std::vector<int64_t> loaded;
  for (const auto& [version, slot] : state->slots) {
    if (slot.loaded) loaded.push_back(version);
  }
  for (int64_t version : loaded) Unload(model, version, state, /*to_zero=*/true);
  state->instances->SetLoaded(false);
  return true;
}

int64_t ModelManager::LoadedBytesLocked() const {
  int64_t total = 0;
  for (const auto& [name, state] : states_) {
    for (const auto& [version, slot] : state.slots) {
      if (slot.loaded) total += slot.memory_bytes;
    }
  }
  return total;
}

bool ModelManager::FitBudget(const std::string& model, int64_t bytes) {
  const auto fits = [&] {
    return BudgetShortfall(bytes, LoadedBytesLocked(), options_.memory_budget_bytes).empty();
  };
  if (fits()) return true;
  // On-demand models with a version loaded, other than this one, least recently used first.
  std::vector<std::pair<int64_t, std::string>> candidates;
  for (const auto& [name, state] : states_) {
    if (name == model || !state.on_demand || !state.instances) continue;
    if (AnyLoaded(state)) candidates.emplace_back(state.instances->last_used_ns(), name);
  }
  std::sort(candidates.begin(), candidates.end());
  for (const auto& [used, victim] : candidates) {
    // One with a request in flight is skipped: never unloaded under a request.
    if (!UnloadToZero(victim, &states_[victim])) continue;
    TERN_LOG(Info) << "Model '" << victim << "' scaled to zero to make room for '" << model
                   << "' under the memory budget";
    if (fits()) return true;
  }
  return false;
}

bool ModelManager::LoadVersion(const ServedModelConfig& config, int64_t version,
                               const std::string& path, Slot* slot) {
  SetStatus(config.name, {version, VersionState::kLoading, Status::Ok()});
  const auto started = std::chrono::steady_clock::now();
  // Every tensor the load leaves behind (weights, constants, tables) stays charged to this
  // account for the version's life: what it holds in memory, measured, not estimated.
  const std::shared_ptr<RunMemory> held = RunMemory::Create(/*limit_bytes=*/0);
  auto attempt = [&]() -> StatusOr<std::shared_ptr<ServableVersion>> {
    RunMemoryScope charge_to(held);
    TERN_RETURN_IF_ERROR(CheckVersionComplete(path));
    TERN_ASSIGN_OR_RETURN(auto loaded,
                          LoadServableModel(path, config.runtime, options_.load_options));
    auto& model = loaded.model;
    if (options_.enable_model_warmup) {
      const auto warmup_started = std::chrono::steady_clock::now();
      auto records = RunWarmup(*model, path, options_.warmup_iterations);
      if (options_.metrics != nullptr && (!records.ok() || *records > 0)) {
        options_.metrics->RecordWarmup(
            config.name,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - warmup_started)
                .count(),
            records.status());
      }
      if (!records.ok()) return records.status();
      if (*records > 0) {
        TERN_LOG(Info) << "Model '" << config.name << "' version " << version << ": replayed "
                       << *records << " warmup records";
      }
    }
    MarkStartupPhase("warmup_done");
    auto servable = std::make_shared<ServableVersion>();
    servable->model_name = config.name;
    servable->version = version;
    servable->path = path;
    servable->model = std::move(model);
    servable->runtime_reason = std::move(loaded.reason);
    servable->instances = states_[config.name].instances;
    servable->memory = held;
    servable->file_estimate_bytes = slot->memory_bytes;
    return servable;
  };
  auto servable = attempt();
  if (options_.metrics != nullptr) {
    options_.metrics->RecordModelLoad(
        config.name,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
        servable.status());
  }
  if (!servable.ok()) {
    const Status error = servable.status().WithContext("loading model '" + config.name +
                                                       "' version " + std::to_string(version));
    slot->failures++;
    slot->fingerprint = Fingerprint(path);
    const int64_t shift = std::min(slot->failures - 1, 20);
    const int64_t backoff_ms =
        std::min(options_.max_retry_backoff_ms, options_.min_retry_backoff_ms << shift);
    slot->next_retry = Now() + std::chrono::milliseconds(backoff_ms);
    if (error.message() != slot->last_error) {
      const bool last =
          options_.max_load_retries >= 0 && slot->failures > options_.max_load_retries;
      TERN_LOG(Warning) << error.message()
                        << (last ? " (no more retries until its files change)" : " (will retry)");
      slot->last_error = error.message();
    }
    SetStatus(config.name, {version, VersionState::kEnd, error});
    return false;
  }
  Publish([&](ServingMap& map) { map[config.name].versions[version] = *servable; });
  slot->memory_bytes = (*servable)->memory_bytes();
  slot->loaded = true;
  slot->failures = 0;
  slot->last_error.clear();
  SetStatus(config.name, {version, VersionState::kAvailable, Status::Ok()});
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  TERN_LOG(Info) << "Model '" << config.name << "' version " << version << " is AVAILABLE (" << ms
                 << " ms to load, about " << Megabytes(slot->memory_bytes) << ", runtime "
                 << (*servable)->model->runtime_name() << ": " << (*servable)->runtime_reason
                 << ")";
  return true;
}

void ModelManager::Unload(const std::string& model, int64_t version, ModelState* state,
                          bool to_zero) {
  std::weak_ptr<const ServableVersion> weak;
  Publish([&](ServingMap& map) {
    auto& versions = map[model].versions;
    auto it = versions.find(version);
    if (it == versions.end()) return;
    weak = it->second;
    versions.erase(it);
  });
  state->slots.erase(version);
  SetStatus(model, {version, VersionState::kUnloading, Status::Ok()});
  TERN_LOG(Info) << "Unloading model '" << model << "' version " << version;
  retiring_.push_back({model, version, std::move(weak), to_zero});
}

void ModelManager::RetireFreed() {
  bool freed = false;
  for (auto it = retiring_.begin(); it != retiring_.end();) {
    if (!it->handle.expired()) {
      ++it;
      continue;
    }
    // A version scaled to zero is still loadable on demand: START, as TF Serving reports a
    // version the manager knows but has not loaded. One loaded again since (the model unloaded
    // and loaded back while a request held the old copy) keeps its AVAILABLE.
    auto state = states_.find(it->model);
    const bool reloaded = state != states_.end() && state->second.slots.count(it->version) &&
                          state->second.slots.at(it->version).loaded;
    if (!reloaded) {
      SetStatus(it->model, {it->version, it->to_zero ? VersionState::kStart : VersionState::kEnd,
                            Status::Ok()});
    }
    TERN_LOG(Info) << "Model '" << it->model << "' version " << it->version << " is unloaded";
    it = retiring_.erase(it);
    freed = true;
  }
  // The version's tensors were freed by whichever thread dropped the last handle; give the
  // pages back to the system so RSS falls after an unload.
  if (freed) malloc_trim(0);
}

void ModelManager::StartBackground() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    SetCurrentThreadName("tern-loader");
    BackgroundLoop();
  });
}

void ModelManager::Stop() {
  stop_ = true;
  watcher_->Interrupt();
  if (thread_.joinable()) thread_.join();
}

void ModelManager::BackgroundLoop() {
  using namespace std::chrono;
  // Unloads wait on in-flight requests letting go of their handles; check for that often.
  constexpr milliseconds kRetireCheck(50);
  while (!stop_) {
    Step();
    milliseconds wait = options_.file_system_poll_wait_ms > 0
                            ? milliseconds(options_.file_system_poll_wait_ms)
                            : hours(1);
    bool retiring = false;
    steady_clock::time_point retry;
    {
      std::lock_guard<std::mutex> lock(step_mu_);
      retiring = !retiring_.empty();
      retry = next_retry_;
    }
    if (retiring) wait = std::min(wait, kRetireCheck);
    if (retry != steady_clock::time_point::max()) {
      wait = std::min(wait, std::max(milliseconds(1), duration_cast<milliseconds>(retry - Now())));
    }
    if (watcher_->Wait(wait)) {
      // A copy in progress fires many events; let a burst settle before the next pass.
      std::this_thread::sleep_for(milliseconds(5));
    }
  }
}

StatusOr<ServableHandle> ModelManager::GetHandle(const std::string& model_name,
                                                 std::optional<int64_t> version,
                                                 Deadline deadline) const {
  std::shared_ptr<const ServingMap> snapshot = serving_.load();
  auto model = snapshot->find(model_name);
  if (model != snapshot->end() && model->second.instances) {
    model->second.instances->Touch(NowNs());
  }
  if (model != snapshot->end() && model->second.versions.empty() && model->second.on_demand) {
    snapshot.reset();
    TERN_RETURN_IF_ERROR(WaitForLoad(model_name, deadline).status());
    return GetHandle(model_name, version, deadline);
  }
  return PeekHandle(model_name, version);
}

StatusOr<ServableHandle> ModelManager::PeekHandle(const std::string& model_name,
                                                  std::optional<int64_t> version) const {
  std::shared_ptr<const ServingMap> snapshot = serving_.load();
  auto model = snapshot->find(model_name);
  if (model == snapshot->end() || model->second.versions.empty()) {
    return NotFound(VersionNotFound(model_name, version));
  }
  const auto& versions = model->second.versions;
  if (!version) return versions.rbegin()->second;
  auto it = versions.find(*version);
  if (it == versions.end()) return NotFound(VersionNotFound(model_name, version));
  return it->second;
}

StatusOr<ServableHandle> ModelManager::WaitForLoad(const std::string& model_name,
                                                   Deadline deadline) const {
  const auto started = std::chrono::steady_clock::now();
  const auto bound = started + std::chrono::milliseconds(options_.model_load_wait_timeout_ms);
  const Deadline until = std::min(deadline, bound);
  auto loaded = [&]() -> ServableHandle {
    std::shared_ptr<const ServingMap> snapshot = serving_.load();
    auto model = snapshot->find(model_name);
    if (model == snapshot->end() || model->second.versions.empty()) return nullptr;
    return model->second.versions.rbegin()->second;
  };
  std::unique_lock<std::mutex> lock(demand_mu_);
  Demand& demand = demands_[model_name];
  // Concurrent first requests share one load: each waits for the next attempt to finish.
  demand.pending = true;
  const uint64_t seen = demand.completed;
  watcher_->Interrupt();  // wake the loader now rather than at its next poll
  ServableHandle handle;
  demand_cv_.wait_until(lock, until, [&] {
    handle = loaded();
    return handle != nullptr || demand.completed > seen;
  });
  if (handle == nullptr) handle = loaded();
  if (handle != nullptr) return handle;
  const auto waited_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
  if (demand.completed > seen) {
    return Unavailable("model '" + model_name + "' was at zero instances and loading it on " +
                       "demand failed: " + demand.error);
  }
  return Unavailable("model '" + model_name + "' was at zero instances and did not finish " +
                     "loading within " + std::to_string(waited_ms) + " ms (" +
                     (until == bound ? "--model_load_wait_timeout_ms" : "the request's deadline") +
                     "); it keeps loading, try again");
}

StatusOr<int64_t> ModelManager::LabelIn(const ServingMap& snapshot, const std::string& model_name,
                                        const std::string& label) {
  auto model = snapshot.find(model_name);
  if (model == snapshot.end()) {
    return NotFound("Servable not found for request: Labeled(" + model_name + ", " + label + ")");
  }
  auto it = model->second.labels.find(label);
  if (it == model->second.labels.end()) {
    std::string known;
    for (const auto& [l, v] : model->second.labels) known += (known.empty() ? "" : ", ") + l;
    return NotFound("Unrecognized servable version label: " + label + " (model '" + model_name +
                    "' has labels: " + (known.empty() ? "none" : known) + ")");
  }
  return it->second;
}

StatusOr<int64_t> ModelManager::ResolveLabel(const std::string& model_name,
                                             const std::string& label) const {
  return LabelIn(*serving_.load(), model_name, label);
}

StatusOr<ServableHandle> ModelManager::GetHandleByLabel(const std::string& model_name,
                                                        const std::string& label,
                                                        Deadline deadline) const {
  std::shared_ptr<const ServingMap> snapshot = serving_.load();
  TERN_ASSIGN_OR_RETURN(int64_t version, LabelIn(*snapshot, model_name, label));
  const ServedModel& served = snapshot->at(model_name);
  if (served.versions.empty() && served.on_demand) {
    snapshot.reset();
    TERN_ASSIGN_OR_RETURN(ServableHandle any, GetHandle(model_name, std::nullopt, deadline));
    (void)any;
    return GetHandleByLabel(model_name, label, Deadline::min());  // loaded now; no second wait
  }
  const auto& versions = snapshot->at(model_name).versions;
  auto it = versions.find(version);
  if (it != versions.end()) return it->second;
  return NotFound("version label '" + label + "' of model '" + model_name + "' points to version " +
                  std::to_string(version) + ", which is not available");
}

StatusOr<std::vector<VersionStatus>> ModelManager::GetStatus(const std::string& model_name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = statuses_.find(model_name);
  if (it == statuses_.end()) {
    return NotFound("Could not find any versions of model " + model_name);
  }
  std::shared_ptr<const ServingMap> snapshot = serving_.load();
  auto served = snapshot->find(model_name);
  std::vector<VersionStatus> out;
  for (auto v = it->second.rbegin(); v != it->second.rend(); ++v) {
    out.push_back(v->second);
    if (served == snapshot->end()) continue;
    auto handle = served->second.versions.find(v->first);
    if (handle == served->second.versions.end()) continue;
    out.back().runtime = handle->second->model->runtime_name();
    out.back().runtime_reason = handle->second->runtime_reason;
  }
  return out;
}

std::vector<std::string> ModelManager::ModelNames() const {
  std::vector<std::string> names;
  for (const auto& [name, model] : *serving_.load()) {
    if (!model.versions.empty() || model.loadable) names.push_back(name);
  }
  return names;
}

int64_t ModelManager::LoadedMemoryBytes() const {
  int64_t total = 0;
  for (const auto& [name, model] : *serving_.load()) {
    for (const auto& [version, handle] : model.versions) total += handle->memory_bytes();
  }
  return total;
}

int64_t ModelManager::LoadedMemoryBytes(const std::string& model_name) const {
  std::shared_ptr<const ServingMap> snapshot = serving_.load();
  auto model = snapshot->find(model_name);
  if (model == snapshot->end()) return 0;
  int64_t total = 0;
  for (const auto& [version, handle] : model->second.versions) {
    total += handle->memory_bytes();
  }
  return total;
}

}  // namespace tern
