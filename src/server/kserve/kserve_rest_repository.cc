#include "server/kserve/kserve_rest_repository.h"

#include "server/codec/json_internal.h"

namespace tern {
namespace {

using json_internal::Json;

// The body as a JSON object; an empty body is an empty object (every field is optional).
StatusOr<Json> BodyObject(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Json::object();
  return json_internal::ParseJsonObject(body);
}

RestResponse Answer(const Status& status) {
  if (!status.ok()) return ErrorResponse(status);
  return RestResponse{};
}

RestResponse Index(const KServeService& service, std::string_view body) {
  auto request = BodyObject(body);
  if (!request.ok()) return ErrorResponse(request.status());
  bool ready = false;
  if (auto it = request->find("ready"); it != request->end()) {
    if (!it->is_boolean()) {
      return ErrorResponse(InvalidArgument("index request: 'ready' must be a boolean, got " +
                                           json_internal::JsonSnippet(*it)));
    }
    ready = it->get<bool>();
  }
  auto entries = service.RepositoryIndex("", ready);
  if (!entries.ok()) return ErrorResponse(entries.status());
  Json list = Json::array();
  for (const auto& e : *entries) {
    Json row{{"name", e.name}};
    if (e.version) row["version"] = std::to_string(*e.version);
    row["state"] = e.state;
    if (!e.reason.empty()) row["reason"] = e.reason;
    list.push_back(std::move(row));
  }
  RestResponse r;
  r.body = list.dump();
  return r;
}

RestResponse LoadOrUnload(const KServeService& service, const std::string& model,
                          std::string_view action, std::string_view body) {
  auto request = BodyObject(body);
  if (!request.ok()) return ErrorResponse(request.status());
  std::optional<std::string> config;
  bool files = false;
  if (auto p = request->find("parameters"); p != request->end()) {
    if (!p->is_object()) {
      return ErrorResponse(
          InvalidArgument("'parameters' must be an object, got " + json_internal::JsonSnippet(*p)));
    }
    for (const auto& [key, value] : p->items()) {
      if (key == "config") {
        if (!value.is_string()) {
          return ErrorResponse(InvalidArgument(
              "parameter 'config' must be a string holding the model config as JSON, got " +
              json_internal::JsonSnippet(value)));
        }
        config = value.get<std::string>();
      } else if (key.rfind("file:", 0) == 0) {
        files = true;
      }
      // Other parameters (unload_dependents: Tern has no ensembles) change nothing.
    }
  }
  if (action == "load") return Answer(service.RepositoryLoad("", model, config, files));
  return Answer(service.RepositoryUnload("", model));
}

}  // namespace

bool HandleRepositoryRest(const KServeService& service, const RestRequest& request,
                          std::string_view path, RestResponse* response) {
  constexpr std::string_view kPrefix = "/v2/repository";
  if (path.substr(0, kPrefix.size()) != kPrefix ||
      (path.size() > kPrefix.size() && path[kPrefix.size()] != '/')) {
    return false;
  }
  const bool post = request.method == "POST";
  if (path == "/v2/repository/index" && post) {
    *response = Index(service, request.body);
    return true;
  }
  constexpr std::string_view kModels = "/v2/repository/models/";
  if (post && path.substr(0, kModels.size()) == kModels) {
    std::string_view rest = path.substr(kModels.size());
    const auto slash = rest.rfind('/');
    if (slash != std::string_view::npos && slash > 0) {
      const std::string_view action = rest.substr(slash + 1);
      const std::string model(rest.substr(0, slash));
      if ((action == "load" || action == "unload") && model.find('/') == std::string::npos) {
        *response = LoadOrUnload(service, model, action, request.body);
        return true;
      }
    }
  }
  *response = ErrorResponse(NotFound("no v2 repository endpoint " + std::string(request.method) +
                                     " " + std::string(path) +
                                     " (POST /v2/repository/index, POST "
                                     "/v2/repository/models/{model}/load or /unload)"));
  return true;
}

}  // namespace tern
