// Classify/regress request parsing: {"context": {...}, "examples": [{...}, ...]} -> Examples.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "server/codec/json_internal.h"
#include "server/codec/json_tensor.h"

namespace tern {
namespace {

using json_internal::IsBase64Object;
using json_internal::Json;
using json_internal::JsonKind;
using json_internal::JsonSnippet;
using tensorflow::Feature;

const char* KindName(Feature::KindCase kind) {
  switch (kind) {
    case Feature::kBytesList: return "bytes";
    case Feature::kFloatList: return "float";
    case Feature::kInt64List: return "int64";
    default: return "unset";
  }
}

// A feature holds values of one kind; `kind` is the kind the new value needs.
Status CheckKind(const Feature& feature, Feature::KindCase kind, const std::string& where) {
  if (feature.kind_case() == Feature::KIND_NOT_SET || feature.kind_case() == kind) {
    return Status::Ok();
  }
  return InvalidArgument(where + " mixes " + KindName(feature.kind_case()) + " and " +
                         KindName(kind) + " values; a feature's values must all be of one kind");
}

Status AddFeatureValue(const Json& value, const std::string& where, Feature* feature) {
  switch (value.type()) {
    case Json::value_t::boolean:
      TERN_RETURN_IF_ERROR(CheckKind(*feature, Feature::kInt64List, where));
      feature->mutable_int64_list()->add_value(value.get<bool>() ? 1 : 0);
      return Status::Ok();
    case Json::value_t::string:
      TERN_RETURN_IF_ERROR(CheckKind(*feature, Feature::kBytesList, where));
      feature->mutable_bytes_list()->add_value(value.get_ref<const std::string&>());
      return Status::Ok();
    case Json::value_t::object: {
      if (!IsBase64Object(value)) break;
      TERN_RETURN_IF_ERROR(CheckKind(*feature, Feature::kBytesList, where));
      std::optional<std::string> bytes = Base64Decode(value["b64"].get_ref<const std::string&>());
      if (!bytes) return InvalidArgument(where + ": invalid base64 data in " + JsonSnippet(value));
      feature->mutable_bytes_list()->add_value(std::move(*bytes));
      return Status::Ok();
    }
    case Json::value_t::number_float: {
      TERN_RETURN_IF_ERROR(CheckKind(*feature, Feature::kFloatList, where));
      const double d = value.get<double>();
      if (std::isfinite(d) && !json_internal::RoundsToFiniteFloat(d)) {
        return InvalidArgument(where + ": cannot convert " + JsonSnippet(value) +
                               " to float without loss of precision");
      }
      feature->mutable_float_list()->add_value(static_cast<float>(d));
      return Status::Ok();
    }
    case Json::value_t::number_unsigned: {
      TERN_RETURN_IF_ERROR(CheckKind(*feature, Feature::kInt64List, where));
      const uint64_t u = value.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return InvalidArgument(where + ": " + JsonSnippet(value) +
                               " does not fit in int64 (only int64 features are supported)");
      }
      feature->mutable_int64_list()->add_value(static_cast<int64_t>(u));
      return Status::Ok();
    }
    case Json::value_t::number_integer:
      TERN_RETURN_IF_ERROR(CheckKind(*feature, Feature::kInt64List, where));
      feature->mutable_int64_list()->add_value(value.get<int64_t>());
      return Status::Ok();
    default: break;
  }
  return InvalidArgument(where + " has a value of unexpected JSON type " + JsonKind(value) + " " +
                         JsonSnippet(value) +
                         " (expected a number, string, boolean, {\"b64\": ...} or a list of them)");
}

// `where` names the example ("examples[2]" or "context").
Status ExampleFromJson(const Json& value, const std::string& where, tensorflow::Example* example) {
  if (!value.is_object()) {
    return InvalidArgument(where + " must be an object of features, got " + JsonKind(value));
  }
  auto* features = example->mutable_features()->mutable_feature();
  for (const auto& [name, content] : value.items()) {
    const std::string feature_where = where + " feature '" + name + "'";
    Feature feature;
    if (content.is_array()) {
      for (const Json& element : content) {
        TERN_RETURN_IF_ERROR(AddFeatureValue(element, feature_where, &feature));
      }
    } else {
      TERN_RETURN_IF_ERROR(AddFeatureValue(content, feature_where, &feature));
    }
    (*features)[name] = std::move(feature);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ExamplesJsonRequest> ParseExamplesRequest(std::string_view body) {
  TERN_ASSIGN_OR_RETURN(Json doc, json_internal::ParseJsonObject(body));
  ExamplesJsonRequest request;
  TERN_ASSIGN_OR_RETURN(request.signature_name, json_internal::ReadSignatureName(doc));
  const auto context = doc.find("context");
  if (context != doc.end()) {
    request.context.emplace();
    TERN_RETURN_IF_ERROR(ExampleFromJson(*context, "context", &*request.context));
  }
  const auto examples = doc.find("examples");
  if (examples == doc.end()) {
    return InvalidArgument("the request has no 'examples' key (a list of example objects)");
  }
  if (!examples->is_array()) {
    return InvalidArgument("'examples' must be a list, got " + JsonKind(*examples));
  }
  if (examples->empty()) return InvalidArgument("'examples' is an empty list");
  request.examples.resize(examples->size());
  for (size_t i = 0; i < examples->size(); ++i) {
    TERN_RETURN_IF_ERROR(ExampleFromJson((*examples)[i], "examples[" + std::to_string(i) + "]",
                                         &request.examples[i]));
  }
  return request;
}

}  // namespace tern
