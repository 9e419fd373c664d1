#include "server/metrics/metrics_rest_handler.h"

#include <algorithm>
#include <charconv>

namespace tern {
namespace {

std::optional<int64_t> ParseVersion(std::string_view text) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

// Maps a verb from the URL onto the fixed list, so arbitrary verbs share one label value.
std::string_view KnownMethod(std::string_view verb, std::initializer_list<std::string_view> known) {
  for (std::string_view k : known) {
    if (verb == k) return k;
  }
  return "other";
}

}  // namespace

RestRequestLabels LabelsForRestRequest(std::string_view http_method, std::string_view path) {
  RestRequestLabels out;
  constexpr std::string_view kV1 = "/v1/models/", kV2 = "/v2/models/";
  const bool v1 = path.substr(0, kV1.size()) == kV1;
  // /v2/models/stats is every model's statistics, not a model named "stats".
  const bool v2 = path.substr(0, kV2.size()) == kV2 && path != "/v2/models/stats";
  if (!v1 && !v2) {
    if (path.substr(0, 3) == "/v2") {
      out.api = "v2";
      if (path.substr(0, 10) == "/v2/health") {
        out.method = "health";
      } else if (path == "/v2/models/stats") {
        out.method = "stats";
      } else if (path.substr(0, 14) == "/v2/repository") {
        // The model in a load or unload path is not a served model's label: leave it out.
        out.method = path.ends_with("/load")     ? "repository_load"
                     : path.ends_with("/unload") ? "repository_unload"
                                                 : "repository_index";
      } else if (path.substr(0, 22) == "/v2/systemsharedmemory" ||
                 path.substr(0, 20) == "/v2/cudasharedmemory") {
        out.method = "shared_memory";
      } else if (path.substr(0, 9) == "/v2/trace") {
        out.method = "trace_setting";
      } else if (path.substr(0, 11) == "/v2/logging") {
        out.method = "logging";
      } else {
        out.method = "server_metadata";
      }
    }
    return out;
  }
  std::string_view rest = path.substr(v1 ? kV1.size() : kV2.size());
  std::string_view verb;
  if (v1) {
    if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
      verb = rest.substr(colon + 1);
      rest = rest.substr(0, colon);
    }
  }
  // rest is now "{name}[/versions/{v}][/{tail}]".
  auto slash = rest.find('/');
  out.model = std::string(rest.substr(0, slash));
  std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  constexpr std::string_view kVersions = "versions/";
  if (tail.substr(0, kVersions.size()) == kVersions) {
    tail = tail.substr(kVersions.size());
    auto next = tail.find('/');
    out.version = ParseVersion(tail.substr(0, next));
    tail = next == std::string_view::npos ? "" : tail.substr(next + 1);
  }
  if (v1) {
    out.api = "rest";
    if (!verb.empty()) {
      out.method = KnownMethod(verb, {"predict", "classify", "regress"});
    } else if (tail == "metadata") {
      out.method = "metadata";
    } else if (tail.empty() && http_method == "GET") {
      out.method = "status";
    }
  } else {
    out.api = "v2";
    if (tail.empty()) {
      out.method = "metadata";
    } else {
      out.method = tail == "trace/setting"
                       ? "trace_setting"
                       : KnownMethod(tail, {"infer", "ready", "config", "stats"});
    }
  }
  return out;
}

std::unique_ptr<MetricsRestHandler> MetricsRestHandler::Create(Options options) {
  return std::unique_ptr<MetricsRestHandler>(new MetricsRestHandler(std::move(options)));
}

void MetricsRestHandler::HandleAsync(const RestRequest& request, RestDone done) const {
  const std::string_view method = request.method;
  const std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  if (method == "GET" && std::find(options_.metrics_paths.begin(), options_.metrics_paths.end(),
                                   path) != options_.metrics_paths.end()) {
    RestResponse r;
    r.body = options_.request_metrics->metrics()->Render();
    r.content_type = std::string(Metrics::kContentType);
    return done(std::move(r));
  }
  auto labels = std::make_shared<RestRequestLabels>(LabelsForRestRequest(method, path));
  auto observer = std::make_shared<RequestMetrics::Observer>(options_.request_metrics, labels->api,
                                                             labels->method);
  options_.inner->HandleAsync(request, [labels, observer, done = std::move(done)](RestResponse r) {
    observer->Finish(labels->model, labels->version, r.code);
    done(std::move(r));
  });
}

}  // namespace tern
