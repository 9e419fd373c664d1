// BatchingOptions: the batching settings of one queue, read from TF Serving's text-format
// BatchingParameters (--batching_parameters_file, assets.extra/batching_params.pbtxt) with TF
// Serving's defaults for unset fields. Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "serving/session_bundle_config.pb.h"

namespace tern {

struct BatchingOptions {
  int64_t max_batch_size = 1000;
  int64_t batch_timeout_micros = 0;
  int64_t max_enqueued_batches = 10;
  int64_t num_batch_threads = 0;             // 0: one per core
  std::vector<int64_t> allowed_batch_sizes;  // empty: any size; else increasing, last == max
  bool pad_variable_length_inputs = false;
  // TF Serving's large batch splitting: a request may hold up to max_batch_size rows and is run
  // in pieces of at most max_execution_batch_size. Without it Tern still runs a request larger
  // than max_batch_size in pieces of max_batch_size (TF Serving refuses it).
  bool enable_large_batch_splitting = false;
  int64_t max_execution_batch_size = 0;  // 0: max_batch_size
  // Tern only: when > 0 the batch timeout is chosen per queue from the observed compute time
  // so that queueing + compute stays within this budget (batch_timeout_micros is the cap).
  int64_t target_latency_micros = 0;

  // The size a batch of `rows` rows is padded to (rows itself when no sizes are listed).
  int64_t PaddedBatchSize(int64_t rows) const;
  // The most rows one run of the model gets.
  int64_t ExecutionBatchSize() const {
    return enable_large_batch_splitting && max_execution_batch_size > 0 ? max_execution_batch_size
                                                                        : max_batch_size;
  }
};

// Applies the set fields of `params` over `base` and validates the result. `source` names the
// file in error messages.
StatusOr<BatchingOptions> MergeBatchingParameters(
    const tensorflow::serving::BatchingParameters& params, const BatchingOptions& base,
    const std::string& source);

// Parses TF Serving's text format of BatchingParameters.
StatusOr<tensorflow::serving::BatchingParameters> ParseBatchingParametersText(
    const std::string& text, const std::string& source);
StatusOr<tensorflow::serving::BatchingParameters> ReadBatchingParametersFile(
    const std::string& path);

// Checks the invariants (positive sizes, allowed sizes increasing and ending at max).
Status ValidateBatchingOptions(const BatchingOptions& options, const std::string& source);

}  // namespace tern
