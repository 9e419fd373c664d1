#include "server/core/model_metadata.h"

#include <google/protobuf/util/json_util.h>

#include "server/core/example_inference.h"

namespace tern {
namespace {

constexpr char kSignatureDef[] = "signature_def";

tensorflow::serving::SignatureDefMap SignatureDefs(const ServableVersion& servable) {
  tensorflow::serving::SignatureDefMap map;
  *map.mutable_signature_def() = servable.model->meta_graph().signature_def();
  return map;
}

StatusOr<std::string> ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) {
    return Internal("cannot print " + message.GetTypeName() +
                    " as JSON: " + std::string(status.message()));
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

StatusOr<tensorflow::serving::GetModelMetadataResponse> GetModelMetadata(
    const ServableHandle& servable, const std::vector<std::string>& metadata_fields) {
  if (metadata_fields.empty()) {
    return InvalidArgument(
        "GetModelMetadataRequest must specify at least one metadata_field "
        "(supported: signature_def)");
  }
  tensorflow::serving::GetModelMetadataResponse response;
  FillResponseModelSpec(*servable, "", response.mutable_model_spec());
  for (const auto& field : metadata_fields) {
    if (field != kSignatureDef) {
      return InvalidArgument("Metadata field " + field +
                             " is not supported (supported: " + kSignatureDef + ")");
    }
    (*response.mutable_metadata())[kSignatureDef].PackFrom(SignatureDefs(*servable));
  }
  return response;
}

StatusOr<std::string> ModelMetadataJson(const ServableHandle& servable) {
  tensorflow::serving::ModelSpec spec;
  FillResponseModelSpec(*servable, "", &spec);
  TERN_ASSIGN_OR_RETURN(std::string spec_json, ToJson(spec));
  TERN_ASSIGN_OR_RETURN(std::string signatures_json, ToJson(SignatureDefs(*servable)));
  return "{\n\"model_spec\":" + spec_json +
         ",\n\"metadata\": {\"signature_def\": " + signatures_json + "}\n}\n";
}

}  // namespace tern
