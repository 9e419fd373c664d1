#include "server/kserve/kserve_rest_statistics.h"

#include "server/codec/json_internal.h"

namespace tern {
namespace {

using json_internal::Json;

Json Duration(const StatDuration& d) { return Json{{"count", d.count}, {"ns", d.ns}}; }

Json ModelStatJson(const V2ModelStatistics& m) {
  const VersionStatistics& s = m.stats;
  Json batches = Json::array();
  for (const auto& [size, b] : s.batch_stats) {
    batches.push_back({{"batch_size", size},
                       {"compute_input", Duration(b.compute_input)},
                       {"compute_infer", Duration(b.compute_infer)},
                       {"compute_output", Duration(b.compute_output)}});
  }
  // Tern has no response cache: cache_hit and cache_miss stay at zero, as in a Triton without one.
  return Json{{"name", m.name},
              {"version", std::to_string(m.version)},
              {"last_inference", s.last_inference_ms},
              {"inference_count", s.inference_count},
              {"execution_count", s.execution_count},
              {"inference_stats",
               {{"success", Duration(s.success)},
                {"fail", Duration(s.fail)},
                {"queue", Duration(s.queue)},
                {"compute_input", Duration(s.compute_input)},
                {"compute_infer", Duration(s.compute_infer)},
                {"compute_output", Duration(s.compute_output)},
                {"cache_hit", Duration({})},
                {"cache_miss", Duration({})}}},
              {"batch_stats", std::move(batches)},
              {"memory_usage", Json::array()}};
}

}  // namespace

RestResponse RestModelStatistics(const KServeService& service, const std::string& model,
                                 const std::string& version) {
  auto stats = service.ModelStatistics(model, version);
  if (!stats.ok()) return ErrorResponse(stats.status());
  Json list = Json::array();
  for (const auto& m : *stats) list.push_back(ModelStatJson(m));
  RestResponse r;
  r.body = Json{{"model_stats", std::move(list)}}.dump();
  return r;
}

}  // namespace tern
