#include "server/app/batching_flags.h"

namespace tern {

StatusOr<std::unique_ptr<SignatureBatcher>> MakeBatcherFromFlags(const ServerFlags& flags,
                                                                 Metrics* metrics,
                                                                 ComputePool* compute_pool) {
  if (!flags.enable_batching) {
    // As TF Serving: a batching file without --enable_batching is a mistake worth stopping for.
    if (!flags.batching_parameters_file.empty()) {
      return InvalidArgument("--batching_parameters_file is set but --enable_batching is not");
    }
    if (flags.batching_target_latency_ms != 0) {
      return InvalidArgument("--batching_target_latency_ms is set but --enable_batching is not");
    }
    return std::unique_ptr<SignatureBatcher>();
  }
  SignatureBatcher::Options options;
  options.metrics = metrics;
  options.compute_pool = compute_pool;
  if (!flags.batching_parameters_file.empty()) {
    TERN_ASSIGN_OR_RETURN(auto params, ReadBatchingParametersFile(flags.batching_parameters_file));
    TERN_ASSIGN_OR_RETURN(options.defaults,
                          MergeBatchingParameters(params, options.defaults,
                                                  "'" + flags.batching_parameters_file + "'"));
  }
  if (flags.batching_target_latency_ms < 0) {
    return InvalidArgument("--batching_target_latency_ms must be >= 0, got " +
                           std::to_string(flags.batching_target_latency_ms));
  }
  options.defaults.target_latency_micros = flags.batching_target_latency_ms * 1000;
  options.per_model = flags.enable_per_model_batching_parameters ? PerModelParameters::kRead
                                                                 : PerModelParameters::kIgnore;
  return SignatureBatcher::Create(std::move(options));
}

}  // namespace tern
