// Triton's statistics extension over REST: GET /v2/models[/{m}[/versions/{v}]]/stats, answered
// as Triton writes it ({"model_stats": [...]} with durations in nanoseconds). A function of
// KServeService, no networking. Thread-safe.
#pragma once

#include <string>

#include "server/http/rest_handler.h"
#include "server/kserve/kserve_service.h"

namespace tern {

// model "" = every model; version "" = every version of the model.
RestResponse RestModelStatistics(const KServeService& service, const std::string& model,
                                 const std::string& version);

}  // namespace tern
