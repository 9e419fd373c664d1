// ModelManager: which model versions are served, their states, and the loop that keeps them in
// line with the config and the directories on disk.
//
// Requests read an immutable snapshot of the serving map (one atomic load, no lock held while a
// request runs); every change publishes a new snapshot. A version is freed when its last handle
// goes, so an unload never waits for in-flight requests and never pulls a model from under one.
// Step() is one pass of the loader: it can be driven by hand (tests) or by the background
// thread (StartBackground: inotify wakeups, a periodic poll, retries with backoff).
// Scale 0..N: a model with min_instances 0 is not loaded by Step until a request asks for it;
// GetHandle then wakes the loop and waits (bounded) for the load, concurrent first requests
// sharing it. After idle_unload_seconds without requests (and none in flight) it is unloaded
// back to zero. With a memory budget, loading evicts least recently used idle on-demand models.
// Thread-safe; Step()s are serialized.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "common/status.h"
#include "loader/dir_watcher.h"
#include "loader/model_config.h"
#include "loader/servable.h"
#include "runtime/saved_model/saved_model.h"

namespace tern {

// TF Serving's ModelVersionStatus states.
enum class VersionState { kStart, kLoading, kAvailable, kUnloading, kEnd };
std::string_view VersionStateName(VersionState state);

struct VersionStatus {
  int64_t version = 0;
  VersionState state = VersionState::kStart;
  Status status;  // the last load error, if any
  // For a version being served: the runtime serving it ("tern", "tensorflow") and why
  // (ServableVersion::runtime_reason); empty otherwise.
  std::string runtime = {};
  std::string runtime_reason = {};
};

class ModelManager {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  struct Options {
    SavedModelLoadOptions load_options;
    bool enable_model_warmup = true;
    // Period of the background poll of every base path; <= 0: no periodic poll (inotify only).
    int64_t file_system_poll_wait_ms = 1000;
    // A version that failed to load is retried after min * 2^(failures-1), capped at max; a
    // change to its files retries it at once.
    int64_t min_retry_backoff_ms = 100;
    int64_t max_retry_backoff_ms = 30000;
    // Retries after the first failure before giving up on a version until its files change
    // (TF Serving's --max_num_load_retries); -1: no limit.
    int64_t max_load_retries = -1;
    int warmup_iterations = 1;   // each warmup record is replayed this many times
    Clock clock;                 // default: steady_clock::now
    Metrics* metrics = nullptr;  // not owned; load outcomes are recorded there when set
    // How long a request to a model at zero instances waits for its load (never beyond the
    // request's own deadline).
    int64_t model_load_wait_timeout_ms = 30000;
    // Bytes of loaded versions to stay under (--model_memory_budget_mb), besides the process
    // tensor budget every load also fits under; 0: no budget of its own.
    int64_t memory_budget_bytes = 0;
  };
  static std::unique_ptr<ModelManager> Create(Options options);
  ~ModelManager();

  // Replaces the list of served models. Takes effect at the next Step: models no longer listed
  // are unloaded, new ones loaded, changed policies and labels applied.
  void SetConfig(std::vector<ServedModelConfig> configs);
  // SetConfig then one Step, so the caller sees the outcome (TF Serving's ReloadConfig): an
  // error naming every newly added model (min_instances >= 1) that did not become available.
  Status ReloadConfig(std::vector<ServedModelConfig> configs);
  std::vector<ServedModelConfig> config() const;

  // One pass over every model; see the file comment.
  void Step();

  // Steps on file changes, every poll period, and when a retry is due, until Stop().
  void StartBackground();
  void Stop();

  // The requested version, or the highest available one when version is empty. NOT_FOUND
  // messages follow TF Serving's wording. A model at zero instances is loaded first (waiting
  // until the deadline or model_load_wait_timeout_ms, whichever comes first); UNAVAILABLE
  // naming the model when that load fails or does not finish in time.
  using Deadline = std::chrono::steady_clock::time_point;
  StatusOr<ServableHandle> GetHandle(const std::string& model_name, std::optional<int64_t> version,
                                     Deadline deadline = Deadline::max()) const;
  // Like GetHandle for a loaded version, but never loads, waits or counts as use (for metrics
  // labels and status pages, which must not keep a model from scaling to zero).
  StatusOr<ServableHandle> PeekHandle(const std::string& model_name,
                                      std::optional<int64_t> version) const;
  // The version a label points to (from the model's version_labels).
  StatusOr<ServableHandle> GetHandleByLabel(const std::string& model_name, const std::string& label,
                                            Deadline deadline = Deadline::max()) const;
  StatusOr<int64_t> ResolveLabel(const std::string& model_name, const std::string& label) const;

  // Every version known for the model, highest first. NOT_FOUND for an unknown model.
  StatusOr<std::vector<VersionStatus>> GetStatus(const std::string& model_name) const;

  // Models that can answer a request: a version loaded, or at zero instances with a version
  // on disk that loads on demand.
  std::vector<std::string> ModelNames() const;

  // ServableVersion::memory_bytes() of loaded versions: of every model, or of one (0 at zero).
  int64_t LoadedMemoryBytes() const;
  int64_t LoadedMemoryBytes(const std::string& model_name) const;

 private:
  struct ServedModel {
    std::map<int64_t, ServableHandle> versions;
    std::map<std::string, int64_t> labels;
    std::shared_ptr<InstancePool> instances;
    bool on_demand = false;  // min_instances 0: loads when a request asks
    bool loadable = false;   // on demand and a version is on disk to load
  };
  using ServingMap = std::map<std::string, ServedModel>;

  // Loader-side bookkeeping of one version; touched only inside Step.
  struct Slot {
    bool loaded = false;
    int failures = 0;
    std::chrono::steady_clock::time_point next_retry{};
    std::string fingerprint;  // of the files when the last attempt failed
    std::string last_error;
    // Estimated from the files while loading, then ServableVersion::memory_bytes().
    int64_t memory_bytes = 0;
  };
  struct ModelState {
    std::map<int64_t, Slot> slots;
    std::shared_ptr<InstancePool> instances;
    bool on_demand = false;
  };
  // Requests waiting for a model at zero; guarded by demand_mu_.
  struct Demand {
    bool pending = false;
    uint64_t completed = 0;  // finished load attempts, so a waiter sees its own outcome
    std::string error;       // of the last attempt; empty when it loaded
  };
  // Unloaded versions some request may still hold; END once the last handle is gone.
  struct Retiring {
    std::string model;
    int64_t version = 0;
    std::weak_ptr<const ServableVersion> handle;
    bool to_zero = false;  // unloaded for idleness or the budget: START (loadable) once freed
  };

  explicit ModelManager(Options options);
  static StatusOr<int64_t> LabelIn(const ServingMap& snapshot, const std::string& model_name,
                                   const std::string& label);
  std::chrono::steady_clock::time_point Now() const { return options_.clock(); }
  void SetStatus(const std::string& model, VersionStatus status);
  // Applies `edit` to a copy of the snapshot and publishes it.
  void Publish(const std::function<void(ServingMap&)>& edit);
  // StepModel and its phases run inside Step (step_mu_ held); each takes mu_ or demand_mu_
  // only briefly, through SetStatus, Publish and the demand calls.
  void StepModel(const ServedModelConfig& config, std::set<std::string>* watch);
  ModelState& PrepareModelState(const ServedModelConfig& config);
  static bool AnyLoaded(const ModelState& state);
  // True if it unloaded the model; otherwise sets when to look again.
  bool ScaleToZeroIfIdle(const ServedModelConfig& config, std::chrono::steady_clock::time_point now,
                         ModelState* state);
  void MarkStartAtZero(const std::string& model, const std::set<int64_t>& aspired,
                       const ModelState& state);
  void LoadAspired(const ServedModelConfig& config, const std::map<int64_t, std::string>& on_disk,
                   const std::set<int64_t>& aspired, std::chrono::steady_clock::time_point now,
                   ModelState* state);
  std::string OverBudgetMessage(const std::string& model, int64_t version, int64_t bytes) const;
  static void ForgetUnwantedFailures(const std::set<int64_t>& aspired, ModelState* state);
  void UnloadReplaced(const std::string& model, const std::set<int64_t>& aspired,
                      const std::set<int64_t>& present, ModelState* state);
  // The model's labels, instances and on-demand flags in the serving map.
  void PublishModel(const ServedModelConfig& config, const ModelState& state, bool any_aspired);
  static std::string DemandFailure(const ServedModelConfig& config,
                                   const std::set<int64_t>& aspired, const ModelState& state);
  bool LoadVersion(const ServedModelConfig& config, int64_t version, const std::string& path,
                   Slot* slot);
  void Unload(const std::string& model, int64_t version, ModelState* state, bool to_zero = false);
  // Scale to zero: unloads every version of an on-demand model when no request holds one.
  bool UnloadToZero(const std::string& model, ModelState* state);
  // Makes room for `bytes` under the budget by scaling idle on-demand models (other than
  // `model`) to zero, least recently used first. False if it cannot.
  bool FitBudget(const std::string& model, int64_t bytes);
  int64_t LoadedBytesLocked() const;  // step_mu_ held
  bool DemandPending(const std::string& model) const;
  void FinishDemand(const std::string& model, const std::string& error);
  StatusOr<ServableHandle> WaitForLoad(const std::string& model_name, Deadline deadline) const;
  int64_t NowNs() const { return Now().time_since_epoch().count(); }
  void RetireFreed();
  void BackgroundLoop();

  const Options options_;
  std::unique_ptr<DirWatcher> watcher_;
  std::atomic<std::shared_ptr<const ServingMap>> serving_{std::make_shared<const ServingMap>()};

  Status CheckAvailable(const std::vector<std::string>& models) const;

  mutable std::mutex mu_;  // guards statuses_, configs_, publishing
  std::map<std::string, std::map<int64_t, VersionStatus>> statuses_;
  std::vector<ServedModelConfig> configs_;

  std::mutex step_mu_;  // serializes Step; guards states_
  std::map<std::string, ModelState> states_;
  std::vector<Retiring> retiring_;
  std::chrono::steady_clock::time_point next_retry_{};  // earliest retry due, for the loop

  mutable std::mutex demand_mu_;
  mutable std::condition_variable demand_cv_;
  mutable std::map<std::string, Demand> demands_;

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tern
