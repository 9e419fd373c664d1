// Replays a version's warmup requests (assets.extra/tf_serving_warmup_requests: a TFRecord
// file of PredictionLog records, as TF Serving writes them) against the loaded model before it
// is served, so the first real request does not pay for cold caches. Thread-compatible: call
// before the model is published.
#pragma once

#include <string>

#include "common/status.h"
#include "runtime/servable_model.h"

namespace tern {

inline constexpr int kMaxWarmupRecords = 1000;  // TF Serving's limit

// Runs every record (predict, classify, regress, multi_inference) `iterations` times (TF
// Serving's --num_request_iterations_for_warmup; at least once). A missing file is
// fine (0 records). A corrupt file, an unsupported record or a failing run is an error naming
// the record; TF Serving fails the load then, and so do we.
StatusOr<int> RunWarmup(const ServableModel& model, const std::string& version_dir,
                        int iterations = 1);

}  // namespace tern
