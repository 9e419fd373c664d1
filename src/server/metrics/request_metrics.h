// RequestMetrics: the one place requests from every transport are counted and timed. It keeps
// label values bounded: a model name the manager does not know becomes "_unknown", a version is
// only one the manager serves, and methods come from fixed lists, so no request can create new
// series at will. Thread-safe; the Metrics and ModelManager are not owned and must outlive it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/metrics.h"
#include "loader/model_manager.h"

namespace tern {

class RequestMetrics {
 public:
  struct Options {
    Metrics* metrics = nullptr;
    const ModelManager* manager = nullptr;
  };
  static std::unique_ptr<RequestMetrics> Create(Options options);

  static constexpr std::string_view kUnknownModel = "_unknown";

  // One request in flight, from construction to Finish (or destruction, counted as CANCELLED
  // if Finish was never called). api and method must be string literals or outlive it.
  class Observer {
   public:
    Observer(const RequestMetrics* owner, std::string_view api, std::string_view method);
    ~Observer();
    Observer(const Observer&) = delete;
    Observer& operator=(const Observer&) = delete;

    // requested_version: what the request asked for; empty means latest.
    void Finish(std::string_view model, std::optional<int64_t> requested_version, StatusCode code);

   private:
    const RequestMetrics* owner_;
    std::string_view api_;
    std::string_view method_;
    std::chrono::steady_clock::time_point start_;
    bool finished_ = false;
  };

  // Bounded labels for a model and version as the manager knows them now.
  std::string ModelLabel(std::string_view model) const;
  std::string VersionLabel(std::string_view model, std::optional<int64_t> requested_version) const;

  Metrics* metrics() const { return options_.metrics; }

 private:
  explicit RequestMetrics(Options options) : options_(options) {}
  const Options options_;
};

}  // namespace tern
