// Triton's model repository extension over REST: POST /v2/repository/index ({"ready": bool}
// optional) and POST /v2/repository/models/{m}/load|unload ({"parameters": {...}} optional).
// A function of KServeService, no networking. Thread-safe.
#pragma once

#include <string_view>

#include "server/http/rest_handler.h"
#include "server/kserve/kserve_service.h"

namespace tern {

// True when `path` is the repository's (under /v2/repository); `response` is then the answer.
bool HandleRepositoryRest(const KServeService& service, const RestRequest& request,
                          std::string_view path, RestResponse* response);

}  // namespace tern
