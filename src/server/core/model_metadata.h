// GetModelMetadata as TF Serving answers it: the servable's SignatureDefMap (every signature of
// the loaded MetaGraphDef, as exported) under the "signature_def" field, over gRPC as an Any and
// over REST as the protobuf JSON TF Serving prints. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "server/core/inference_core.h"
#include "serving/get_model_metadata.pb.h"

namespace tern {

// Only "signature_def" is a known field (as in TF Serving); anything else is INVALID_ARGUMENT.
StatusOr<tensorflow::serving::GetModelMetadataResponse> GetModelMetadata(
    const ServableHandle& servable, const std::vector<std::string>& metadata_fields);

// {"model_spec": {...}, "metadata": {"signature_def": {...}}} with proto field names kept,
// fields with default values printed and int64 as strings, as TF Serving's REST API writes it.
StatusOr<std::string> ModelMetadataJson(const ServableHandle& servable);

}  // namespace tern
