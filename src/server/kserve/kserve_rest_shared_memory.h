// Triton's shared memory extensions over REST: GET /v2/systemsharedmemory[/region/{r}]/status,
// POST /v2/systemsharedmemory/region/{r}/register ({"key", "offset", "byte_size"}) and
// POST /v2/systemsharedmemory[/region/{r}]/unregister. Under /v2/cudasharedmemory, the status
// and unregister of every region succeed (there are none); the rest answers that CUDA shared
// memory is not supported. A function of KServeService's registry, no
// networking. Thread-safe.
#pragma once

#include <string_view>

#include "server/http/rest_handler.h"
#include "server/kserve/kserve_service.h"

namespace tern {

// True when `path` is a shared memory path; `response` is then the answer.
bool HandleSharedMemoryRest(const KServeService& service, const RestRequest& request,
                            std::string_view path, RestResponse* response);

}  // namespace tern
