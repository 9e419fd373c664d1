// Triton's trace and logging extensions over REST: GET|POST /v2/trace/setting,
// GET|POST /v2/models/{m}/trace/setting and GET|POST /v2/logging, as JSON objects of settings.
// A function of KServeService's tracer and of the process's log settings, no networking.
// Thread-safe.
#pragma once

#include <string_view>

#include "server/http/rest_handler.h"
#include "server/kserve/kserve_service.h"

namespace tern {

// True when `path` is a trace or logging path; `response` is then the answer.
bool HandleSettingsRest(const KServeService& service, const RestRequest& request,
                        std::string_view path, RestResponse* response);

}  // namespace tern
