// Fuzz target: a warmup file (assets.extra/tf_serving_warmup_requests, shipped inside someone
// else's model directory) as the loader reads it before running anything: the TFRecord framing,
// then every record decoded as a PredictionLog into its signature calls (request tensors through
// TensorFromProto, tf.Examples re-serialized). Any Status is fine; a crash, leak, sanitizer report
// or allocation past the tensor budget is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_memory.h"
#include "fuzz_protobuf.h"
#include "loader/tf_record.h"
#include "loader/warmup_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tern::fuzz::SilenceProtobufLogs();
  tern::fuzz::LimitTensorMemory();
  constexpr int kMaxWarmupRecords = 1000;  // loader/warmup.h's limit, without its model deps
  auto records = tern::ParseTfRecords(std::string_view(reinterpret_cast<const char*>(data), size),
                                      "fuzz", kMaxWarmupRecords);
  if (!records.ok()) return 0;
  for (const std::string& record : *records) {
    auto calls = tern::DecodeWarmupRecord(record);
    if (!calls.ok()) continue;
    volatile size_t sink = 0;
    for (const auto& call : *calls) sink = sink + call.inputs.size() + call.examples.has_value();
    (void)sink;
  }
  return 0;
}
