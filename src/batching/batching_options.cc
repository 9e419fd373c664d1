#include "batching/batching_options.h"

#include "common/proto_text_file.h"

namespace tern {

int64_t BatchingOptions::PaddedBatchSize(int64_t rows) const {
  for (int64_t size : allowed_batch_sizes) {
    if (size >= rows) return size;
  }
  return rows;
}

Status ValidateBatchingOptions(const BatchingOptions& o, const std::string& source) {
  auto bad = [&](const std::string& what) {
    return InvalidArgument("batching parameters " + source + ": " + what);
  };
  if (o.max_batch_size <= 0) {
    return bad("max_batch_size must be > 0, got " + std::to_string(o.max_batch_size));
  }
  if (o.batch_timeout_micros < 0) {
    return bad("batch_timeout_micros must be >= 0, got " + std::to_string(o.batch_timeout_micros));
  }
  if (o.max_enqueued_batches <= 0) {
    return bad("max_enqueued_batches must be > 0, got " + std::to_string(o.max_enqueued_batches));
  }
  if (o.num_batch_threads < 0) {
    return bad("num_batch_threads must be >= 0, got " + std::to_string(o.num_batch_threads));
  }
  if (o.target_latency_micros < 0) {
    return bad("the target latency must be >= 0, got " + std::to_string(o.target_latency_micros) +
               " us");
  }
  const auto& sizes = o.allowed_batch_sizes;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] <= 0 || (i > 0 && sizes[i] <= sizes[i - 1])) {
      return bad("allowed_batch_sizes must be positive and strictly increasing, got entry " +
                 std::to_string(sizes[i]) + " at index " + std::to_string(i));
    }
  }
  if (o.max_execution_batch_size < 0 ||
      (o.enable_large_batch_splitting && o.max_execution_batch_size > o.max_batch_size)) {
    return bad("max_execution_batch_size must be between 1 and max_batch_size (" +
               std::to_string(o.max_batch_size) + "), got " +
               std::to_string(o.max_execution_batch_size));
  }
  const int64_t largest = o.ExecutionBatchSize();
  const char* largest_name =
      largest == o.max_batch_size ? "max_batch_size" : "max_execution_batch_size";
  if (!sizes.empty() && sizes.back() != largest) {
    return bad("the last allowed_batch_sizes entry (" + std::to_string(sizes.back()) +
               ") must equal " + largest_name + " (" + std::to_string(largest) + ")");
  }
  return Status::Ok();
}

StatusOr<BatchingOptions> MergeBatchingParameters(const tensorflow::serving::BatchingParameters& p,
                                                  const BatchingOptions& base,
                                                  const std::string& source) {
  BatchingOptions o = base;
  if (p.has_max_batch_size()) o.max_batch_size = p.max_batch_size().value();
  if (p.has_batch_timeout_micros()) o.batch_timeout_micros = p.batch_timeout_micros().value();
  if (p.has_max_enqueued_batches()) o.max_enqueued_batches = p.max_enqueued_batches().value();
  if (p.has_num_batch_threads()) o.num_batch_threads = p.num_batch_threads().value();
  if (p.allowed_batch_sizes_size() > 0) {
    o.allowed_batch_sizes.assign(p.allowed_batch_sizes().begin(), p.allowed_batch_sizes().end());
  }
  if (p.pad_variable_length_inputs()) o.pad_variable_length_inputs = true;
  if (p.has_enable_large_batch_splitting()) {
    o.enable_large_batch_splitting = p.enable_large_batch_splitting().value();
  }
  if (p.has_max_execution_batch_size()) {
    o.max_execution_batch_size = p.max_execution_batch_size().value();
  }
  TERN_RETURN_IF_ERROR(ValidateBatchingOptions(o, source));
  return o;
}

StatusOr<tensorflow::serving::BatchingParameters> ParseBatchingParametersText(
    const std::string& text, const std::string& source) {
  tensorflow::serving::BatchingParameters params;
  if (Status parsed = ParseProtoText(text, &params); !parsed.ok()) {
    return InvalidArgument("cannot parse batching parameters " + source +
                           " (text-format BatchingParameters): " + parsed.message());
  }
  return params;
}

StatusOr<tensorflow::serving::BatchingParameters> ReadBatchingParametersFile(
    const std::string& path) {
  auto text = ReadTextFile(path);
  if (!text.ok()) return NotFound("cannot open batching parameters file '" + path + "'");
  return ParseBatchingParametersText(*text, "'" + path + "'");
}

}  // namespace tern
