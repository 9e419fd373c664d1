#include "server/kserve/kserve_rest_shared_memory.h"

#include "server/codec/json_internal.h"

namespace tern {
namespace {

using json_internal::Json;

RestResponse StatusJson(const SharedMemoryRegistry& registry, const std::string& name) {
  auto regions = registry.List(name);
  if (!regions.ok()) return ErrorResponse(regions.status());
  Json list = Json::array();
  for (const auto& r : *regions) {
    list.push_back(
        {{"name", r.name}, {"key", r.key}, {"offset", r.offset}, {"byte_size", r.byte_size}});
  }
  RestResponse response;
  response.body = list.dump();
  return response;
}

StatusOr<uint64_t> ReadSize(const Json& body, const char* key, bool required) {
  auto it = body.find(key);
  if (it == body.end()) {
    if (required) return InvalidArgument(std::string("register request needs '") + key + "'");
    return uint64_t{0};
  }
  if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0)) {
    return InvalidArgument(std::string("register request: '") + key +
                           "' must be a non-negative integer, got " +
                           json_internal::JsonSnippet(*it));
  }
  return it->get<uint64_t>();
}

Status Register(SharedMemoryRegistry& registry, const std::string& name, std::string_view body) {
  TERN_ASSIGN_OR_RETURN(Json request, json_internal::ParseJsonObject(body));
  auto key = request.find("key");
  if (key == request.end() || !key->is_string()) {
    return InvalidArgument("register request for shared memory region '" + name +
                           "' needs a string 'key' (the shm_open name)");
  }
  TERN_ASSIGN_OR_RETURN(uint64_t offset, ReadSize(request, "offset", false));
  TERN_ASSIGN_OR_RETURN(uint64_t byte_size, ReadSize(request, "byte_size", true));
  return registry.Register(name, key->get<std::string>(), offset, byte_size);
}

// "/region/{name}/{action}" or "/{action}" under a shared memory prefix.
bool SplitRegionPath(std::string_view rest, std::string* name, std::string_view* action) {
  constexpr std::string_view kRegion = "/region/";
  if (rest.substr(0, kRegion.size()) == kRegion) {
    rest.remove_prefix(kRegion.size());
    const auto slash = rest.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return false;
    *name = std::string(rest.substr(0, slash));
    *action = rest.substr(slash + 1);
    return name->find('/') == std::string::npos;
  }
  if (rest.empty() || rest[0] != '/') return false;
  *action = rest.substr(1);
  return true;
}

}  // namespace

bool HandleSharedMemoryRest(const KServeService& service, const RestRequest& request,
                            std::string_view path, RestResponse* response) {
  constexpr std::string_view kSystem = "/v2/systemsharedmemory";
  constexpr std::string_view kCuda = "/v2/cudasharedmemory";
  auto under = [&](std::string_view prefix) {
    return path.substr(0, prefix.size()) == prefix &&
           (path.size() == prefix.size() || path[prefix.size()] == '/');
  };
  if (under(kCuda)) {
    // Listing or unregistering every CUDA region succeeds (there are none), as a Triton built
    // without GPUs answers, since tools such as perf_analyzer clean up both kinds; anything
    // naming or registering a CUDA region is refused saying CUDA is not supported.
    if (request.method == "GET" && path == "/v2/cudasharedmemory/status") {
      response->body = "[]";
    } else if (request.method == "POST" && path == "/v2/cudasharedmemory/unregister") {
      *response = RestResponse{};
    } else {
      *response = ErrorResponse(CudaSharedMemoryUnsupported());
    }
    return true;
  }
  if (!under(kSystem)) return false;
  std::string name;
  std::string_view action;
  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  SharedMemoryRegistry& registry = service.shared_memory();
  if (SplitRegionPath(path.substr(kSystem.size()), &name, &action)) {
    if (get && action == "status") {
      *response = StatusJson(registry, name);
      return true;
    }
    if (post && action == "register" && !name.empty()) {
      Status status = Register(registry, name, request.body);
      *response = status.ok() ? RestResponse{} : ErrorResponse(status);
      return true;
    }
    if (post && action == "unregister") {
      registry.Unregister(name);
      *response = RestResponse{};
      return true;
    }
  }
  *response = ErrorResponse(NotFound("no v2 shared memory endpoint " + std::string(request.method) +
                                     " " + std::string(path) +
                                     " (GET /v2/systemsharedmemory[/region/{name}]/status, POST "
                                     "/v2/systemsharedmemory/region/{name}/register, POST "
                                     "/v2/systemsharedmemory[/region/{name}]/unregister)"));
  return true;
}

}  // namespace tern
