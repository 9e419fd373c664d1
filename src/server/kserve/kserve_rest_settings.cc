#include "server/kserve/kserve_rest_settings.h"

#include "server/codec/json_internal.h"
#include "server/kserve/log_settings.h"

namespace tern {
namespace {

using json_internal::Json;

RestResponse JsonResponse(const Json& body) {
  RestResponse r;
  r.body = body.dump();
  return r;
}

// Triton's JSON: trace_level is a list, every other setting one string.
Json TraceJson(const TraceSettingValues& values) {
  Json out = Json::object();
  for (const auto& [name, list] : values) {
    if (name == "trace_level") {
      out[name] = list;
    } else {
      out[name] = list.empty() ? std::string() : list[0];
    }
  }
  return out;
}

// A JSON setting value: a string, an integer, a list of strings, or null (clear).
StatusOr<std::optional<std::vector<std::string>>> TraceValue(const std::string& name,
                                                             const Json& v) {
  if (v.is_null()) return std::optional<std::vector<std::string>>();
  if (v.is_string()) return std::optional<std::vector<std::string>>({v.get<std::string>()});
  if (v.is_number_integer()) {
    return std::optional<std::vector<std::string>>({std::to_string(v.get<int64_t>())});
  }
  if (v.is_array()) {
    std::vector<std::string> list;
    for (const auto& e : v) {
      if (!e.is_string()) break;
      list.push_back(e.get<std::string>());
    }
    if (list.size() == v.size()) return std::optional<std::vector<std::string>>(std::move(list));
  }
  return InvalidArgument("trace setting '" + name +
                         "' must be a string, an integer, a list of strings or null, got " +
                         json_internal::JsonSnippet(v));
}

RestResponse Trace(const KServeService& service, const std::string& model,
                   const RestRequest& request) {
  if (!model.empty()) {
    auto known = service.ModelReady(ModelRef{model, std::nullopt, std::nullopt});
    if (!known.ok()) return ErrorResponse(known.status());
  }
  if (request.method == "POST") {
    auto body = json_internal::ParseJsonObject(request.body);
    if (!body.ok()) return ErrorResponse(body.status());
    TraceSettingChanges changes;
    for (const auto& [name, value] : body->items()) {
      auto parsed = TraceValue(name, value);
      if (!parsed.ok()) return ErrorResponse(parsed.status());
      changes[name] = std::move(parsed).value();
    }
    Status updated = service.tracer().Update(model, changes);
    if (!updated.ok()) return ErrorResponse(updated);
  }
  return JsonResponse(TraceJson(service.tracer().Settings(model)));
}

Json LogJson() {
  Json out = Json::object();
  for (const auto& [name, value] : CurrentLogSettings()) {
    std::visit([&, name = name](const auto& v) { out[name] = v; }, value);
  }
  return out;
}

RestResponse Logging(const RestRequest& request) {
  if (request.method == "POST") {
    auto body = json_internal::ParseJsonObject(request.body);
    if (!body.ok()) return ErrorResponse(body.status());
    LogSettingMap changes;
    for (const auto& [name, v] : body->items()) {
      if (v.is_boolean()) {
        changes[name] = v.get<bool>();
      } else if (v.is_number_unsigned() && v.get<uint64_t>() <= UINT32_MAX) {
        changes[name] = static_cast<uint32_t>(v.get<uint64_t>());
      } else if (v.is_string()) {
        changes[name] = v.get<std::string>();
      } else {
        return ErrorResponse(InvalidArgument("log setting '" + name +
                                             "' must be a boolean, an unsigned 32-bit integer or "
                                             "a string, got " +
                                             json_internal::JsonSnippet(v)));
      }
    }
    Status updated = UpdateLogSettings(changes);
    if (!updated.ok()) return ErrorResponse(updated);
  }
  return JsonResponse(LogJson());
}

}  // namespace

bool HandleSettingsRest(const KServeService& service, const RestRequest& request,
                        std::string_view path, RestResponse* response) {
  const bool get_or_post = request.method == "GET" || request.method == "POST";
  if (path == "/v2/logging") {
    *response = get_or_post ? Logging(request)
                            : ErrorResponse(NotFound("no v2 endpoint " +
                                                     std::string(request.method) + " /v2/logging"));
    return true;
  }
  if (path == "/v2/trace/setting") {
    *response = get_or_post
                    ? Trace(service, "", request)
                    : ErrorResponse(NotFound("no v2 endpoint " + std::string(request.method) +
                                             " /v2/trace/setting"));
    return true;
  }
  constexpr std::string_view kModels = "/v2/models/", kTrace = "/trace/setting";
  if (path.size() > kModels.size() + kTrace.size() && path.substr(0, kModels.size()) == kModels &&
      path.ends_with(kTrace)) {
    const std::string_view model =
        path.substr(kModels.size(), path.size() - kModels.size() - kTrace.size());
    if (model.find('/') == std::string_view::npos && get_or_post) {
      *response = Trace(service, std::string(model), request);
      return true;
    }
  }
  return false;
}

}  // namespace tern
