#include "server/rest/rest_api.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <string>
#include <utility>

#include "server/codec/json_tensor.h"
#include "server/core/example_inference.h"
#include "server/core/model_metadata.h"
#include "server/http/http_status.h"

namespace tern {
namespace {

constexpr std::string_view kModelsPrefix = "/v1/models/";

// The parts of "/v1/models/{name}[/versions/{v}|/labels/{l}][:verb]".
struct ModelPath {
  ModelRef ref;
  std::string verb;  // "predict", ... or "" for a status request
};

StatusOr<ModelPath> ParseModelPath(std::string_view path) {
  auto bad = [&] { return InvalidArgument("Malformed request: " + std::string(path)); };
  if (path.substr(0, kModelsPrefix.size()) != kModelsPrefix) return bad();
  std::string_view rest = path.substr(kModelsPrefix.size());
  ModelPath out;
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos) {
    out.verb = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  constexpr std::string_view kMetadata = "/metadata";
  if (out.verb.empty() && rest.size() > kMetadata.size() &&
      rest.substr(rest.size() - kMetadata.size()) == kMetadata) {
    out.verb = "metadata";
    rest.remove_suffix(kMetadata.size());
  }
  auto slash = rest.find('/');
  out.ref.name = std::string(rest.substr(0, slash));
  if (out.ref.name.empty()) return bad();
  if (slash != std::string_view::npos) {
    std::string_view tail = rest.substr(slash + 1);
    constexpr std::string_view kVersions = "versions/";
    constexpr std::string_view kLabels = "labels/";
    if (tail.substr(0, kLabels.size()) == kLabels) {
      std::string_view label = tail.substr(kLabels.size());
      if (label.empty() || label.find('/') != std::string_view::npos) return bad();
      out.ref.label = std::string(label);
      return out;
    }
    if (tail.substr(0, kVersions.size()) != kVersions) return bad();
    std::string_view number = tail.substr(kVersions.size());
    int64_t version = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), version);
    if (ec != std::errc() || ptr != number.data() + number.size() || number.empty()) {
      return InvalidArgument("Malformed request: version '" + std::string(number) + "' in " +
                             std::string(path) + " is not an integer");
    }
    out.ref.version = version;
  }
  return out;
}

std::string ErrorCodeName(StatusCode code) { return std::string(StatusCodeName(code)); }

}  // namespace

void RestApi::HandleAsync(const RestRequest& http, RestDone done) const {
  const std::string_view method = http.method, target = http.target, body = http.body;
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/v1/models" || path == "/v1/models/") {
    return done(ErrorResponse(InvalidArgument("Missing model name in request.")));
  }
  auto parsed = ParseModelPath(path);
  if (!parsed.ok()) {
    RestResponse r = ErrorResponse(parsed.status());
    if (path.substr(0, kModelsPrefix.size()) != kModelsPrefix) {
      r.status_code = ToHttpStatusCode(HttpRefusal::kNoSuchPath);
    }
    return done(std::move(r));
  }
  if (method == "GET" && parsed->verb.empty()) return done(HandleModelStatus(parsed->ref));
  if (method == "GET" && parsed->verb == "metadata") return done(HandleMetadata(parsed->ref));
  if (method == "POST" && parsed->verb == "predict") {
    return HandlePredict(parsed->ref, body, std::move(done));
  }
  if (method == "POST" && (parsed->verb == "classify" || parsed->verb == "regress")) {
    return HandleExamples(parsed->ref, parsed->verb, body, std::move(done));
  }
  if (method == "POST" && parsed->verb.empty()) {
    return done(ErrorResponse(InvalidArgument("Malformed request: POST " + std::string(path) +
                                              " (expected a verb such as :predict)")));
  }
  RestResponse r = ErrorResponse(
      NotFound("Malformed request: " + std::string(method) + " " + std::string(path)));
  if (method != "GET" && method != "POST") {
    r.status_code = ToHttpStatusCode(HttpRefusal::kMethodNotAllowed);
  }
  done(std::move(r));
}

RestResponse RestApi::HandleModelStatus(const ModelRef& ref) const {
  auto statuses = service_->GetModelStatus(ref);
  if (!statuses.ok()) return ErrorResponse(statuses.status());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& s : *statuses) {
    nlohmann::ordered_json entry;
    entry["version"] = std::to_string(s.version);
    entry["state"] = std::string(VersionStateName(s.state));
    entry["status"]["error_code"] = ErrorCodeName(s.status.code());
    entry["status"]["error_message"] = s.status.message();
    // Tern's fields (get_model_status.proto), for served versions only: absent, as proto3's
    // JSON leaves empty fields out, for every other.
    if (!s.runtime.empty()) {
      entry["runtime"] = s.runtime;
      entry["runtime_reason"] = s.runtime_reason;
    }
    list.push_back(std::move(entry));
  }
  nlohmann::ordered_json doc;
  doc["model_version_status"] = std::move(list);
  RestResponse r;
  r.body = doc.dump(1);
  return r;
}

RestResponse RestApi::HandleMetadata(const ModelRef& ref) const {
  auto servable = service_->GetServable(ref);
  if (!servable.ok()) return ErrorResponse(servable.status());
  auto json = ModelMetadataJson(*servable);
  if (!json.ok()) return ErrorResponse(json.status());
  RestResponse r;
  r.body = std::move(json).value();
  return r;
}

void RestApi::HandleExamples(const ModelRef& ref, std::string_view verb, std::string_view body,
                             RestDone done) const {
  auto json_answer = [done](StatusOr<std::string> json) {
    if (!json.ok()) return done(ErrorResponse(json.status()));
    RestResponse r;
    r.body = std::move(json).value();
    done(std::move(r));
  };
  auto start = [&]() -> Status {
    ModelRef bounded = ref;
    bounded.deadline = RunOptionsNow().deadline;  // bounds a wait for a model at zero
    TERN_ASSIGN_OR_RETURN(ServableHandle servable, service_->GetServable(bounded));
    TERN_ASSIGN_OR_RETURN(ExamplesJsonRequest request, ParseExamplesRequest(body));
    TERN_ASSIGN_OR_RETURN(const Signature* signature,
                          InferenceCore::GetSignature(servable, request.signature_name));
    tensorflow::serving::Input input;
    if (request.context) {
      auto* list = input.mutable_example_list_with_context();
      *list->mutable_context() = *request.context;
      for (auto& e : request.examples) *list->add_examples() = std::move(e);
    } else {
      for (auto& e : request.examples) *input.mutable_example_list()->add_examples() = std::move(e);
    }
    TERN_ASSIGN_OR_RETURN(Tensor examples, SerializedExamples(input));
    if (verb == "regress") {
      RunRegress(*service_, servable, *signature, std::move(examples), RunOptionsNow(),
                 [json_answer](StatusOr<tensorflow::serving::RegressionResult> result) {
                   if (!result.ok()) return json_answer(result.status());
                   std::vector<float> values;
                   for (const auto& r : result->regressions()) values.push_back(r.value());
                   json_answer(WriteRegressResponse(values));
                 });
      return Status::Ok();
    }
    RunClassify(*service_, servable, *signature, std::move(examples), RunOptionsNow(),
                [json_answer](StatusOr<tensorflow::serving::ClassificationResult> result) {
                  if (!result.ok()) return json_answer(result.status());
                  std::vector<LabelScores> out;
                  for (const auto& c : result->classifications()) {
                    LabelScores& pairs = out.emplace_back();
                    for (const auto& cls : c.classes())
                      pairs.emplace_back(cls.label(), cls.score());
                  }
                  json_answer(WriteClassifyResponse(out));
                });
    return Status::Ok();
  };
  if (Status started = start(); !started.ok()) done(ErrorResponse(started));
}

void RestApi::HandlePredict(const ModelRef& ref, std::string_view body, RestDone done) const {
  ModelRef bounded = ref;
  bounded.deadline = RunOptionsNow().deadline;  // bounds a wait for a model at zero
  auto servable = service_->GetServable(bounded);
  if (!servable.ok()) return done(ErrorResponse(servable.status()));
  const Signature* signature = nullptr;
  auto request =
      ParsePredictRequest(body, [&](const std::string& name) -> StatusOr<SignatureInputSpecs> {
        TERN_ASSIGN_OR_RETURN(signature, InferenceCore::GetSignature(*servable, name));
        SignatureInputSpecs specs;
        // Only the dtype is enforced: TF Serving feeds whatever shape the JSON has (half_plus_two
        // declares x as [?,1] and is fed [3]), and the graph's ops judge the shape.
        for (const auto& [key, t] : signature->inputs) {
          specs[key] = TensorSpec{t.dtype, {}, /*unknown_rank=*/true};
        }
        return specs;
      });
  if (!request.ok()) return done(ErrorResponse(request.status()));
  service_->PredictAsync(*servable, *signature, std::move(request->inputs), {}, RunOptionsNow(),
                         [format = request->format,
                          done = std::move(done)](StatusOr<std::map<std::string, Tensor>> outputs) {
                           if (!outputs.ok()) return done(ErrorResponse(outputs.status()));
                           auto json = WritePredictResponse(*outputs, format);
                           if (!json.ok()) return done(ErrorResponse(json.status()));
                           RestResponse r;
                           r.body = std::move(json).value();
                           done(std::move(r));
                         });
}

}  // namespace tern
