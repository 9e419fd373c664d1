// One record of a warmup file (a serialized tensorflow.serving.PredictionLog, as TF Serving
// writes them) decoded into the signature calls it asks for, without running them: kept apart
// from the model so the decoding of these untrusted bytes can be fuzzed on its own. Stateless;
// thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/tensor.h"

namespace tern {

struct WarmupCall {
  std::string signature_name;  // "serving_default" when the record names none
  // Predict: the request's inputs by alias, and its output filter.
  std::map<std::string, Tensor> inputs;
  std::vector<std::string> output_filter;
  // Classify, regress, multi-inference: serialized tf.Examples for the signature's only input.
  std::optional<Tensor> examples;
};

// The calls of one record (several for multi-inference); INVALID_ARGUMENT or DATA_LOSS saying
// what is wrong with it.
StatusOr<std::vector<WarmupCall>> DecodeWarmupRecord(std::string_view record);

}  // namespace tern
