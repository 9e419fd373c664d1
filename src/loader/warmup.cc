#include "loader/warmup.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/format/crc32c.h"
#include "runtime/format/tensor_proto.h"
#include "serving/prediction_log.pb.h"

namespace tern {
namespace {

uint64_t LoadLe64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint32_t LoadLe32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Serialized tf.Examples for a classify/regress signature's single string input; the context
// features are merged into every example, the example's own features taking precedence.
StatusOr<Tensor> ExamplesTensor(const tensorflow::serving::Input& input) {
  std::vector<std::string> serialized;
  if (input.has_example_list()) {
    for (const auto& e : input.example_list().examples())
      serialized.push_back(e.SerializeAsString());
  } else if (input.has_example_list_with_context()) {
    const auto& list = input.example_list_with_context();
    for (const auto& e : list.examples()) {
      tensorflow::Example merged = list.context();
      merged.MergeFrom(e);
      serialized.push_back(merged.SerializeAsString());
    }
  } else {
    return InvalidArgument("input has neither example_list nor example_list_with_context");
  }
  if (serialized.empty()) return InvalidArgument("input has no examples");
  const int64_t n = static_cast<int64_t>(serialized.size());
  return Tensor::FromVector<std::string>(serialized, TensorShape{n});
}

Status RunOnExamples(const SavedModel& model, const std::string& signature_name,
                     const tensorflow::serving::Input& input) {
  const std::string name = signature_name.empty() ? "serving_default" : signature_name;
  TERN_ASSIGN_OR_RETURN(const Signature* signature, model.FindSignature(name));
  if (signature->inputs.size() != 1) {
    return InvalidArgument("signature '" + name + "' has " +
                           std::to_string(signature->inputs.size()) +
                           " inputs; classify/regress need exactly one (serialized tf.Example)");
  }
  TERN_ASSIGN_OR_RETURN(Tensor examples, ExamplesTensor(input));
  std::map<std::string, Tensor> feeds{{signature->inputs.begin()->first, std::move(examples)}};
  return model.RunSignature(name, feeds, {}, RunOptions()).status();
}

Status RunRecord(const SavedModel& model, const tensorflow::serving::PredictionLog& log) {
  using Log = tensorflow::serving::PredictionLog;
  switch (log.log_type_case()) {
    case Log::kPredictLog: {
      const auto& request = log.predict_log().request();
      const std::string name = request.model_spec().signature_name().empty()
                                   ? "serving_default"
                                   : request.model_spec().signature_name();
      std::map<std::string, Tensor> inputs;
      for (const auto& [key, proto] : request.inputs()) {
        auto tensor = TensorFromProto(proto);
        if (!tensor.ok()) return tensor.status().WithContext("input '" + key + "'");
        inputs.emplace(key, std::move(tensor).value());
      }
      std::vector<std::string> filter(request.output_filter().begin(),
                                      request.output_filter().end());
      return model.RunSignature(name, inputs, filter, RunOptions()).status();
    }
    case Log::kClassifyLog:
      return RunOnExamples(model, log.classify_log().request().model_spec().signature_name(),
                           log.classify_log().request().input());
    case Log::kRegressLog:
      return RunOnExamples(model, log.regress_log().request().model_spec().signature_name(),
                           log.regress_log().request().input());
    case Log::kMultiInferenceLog: {
      const auto& request = log.multi_inference_log().request();
      for (const auto& task : request.tasks()) {
        TERN_RETURN_IF_ERROR(
            RunOnExamples(model, task.model_spec().signature_name(), request.input()));
      }
      return Status::Ok();
    }
    case Log::LOG_TYPE_NOT_SET: break;
  }
  return InvalidArgument(
      "record has no predict_log, classify_log, regress_log or "
      "multi_inference_log");
}

}  // namespace

StatusOr<std::vector<std::string>> ReadTfRecords(const std::string& path, int max_records) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();
  std::vector<std::string> records;
  size_t pos = 0;
  while (pos < data.size()) {
    const std::string where = "'" + path + "' record " + std::to_string(records.size());
    if (data.size() - pos < 12) return DataLoss(where + ": truncated header");
    const uint64_t length = LoadLe64(data.data() + pos);
    if (crc32c::Unmask(LoadLe32(data.data() + pos + 8)) != crc32c::Value(data.data() + pos, 8)) {
      return DataLoss(where + ": length checksum mismatch");
    }
    pos += 12;
    if (data.size() - pos < 4 || length > data.size() - pos - 4) {
      return DataLoss(where + ": truncated data (length " + std::to_string(length) + ")");
    }
    if (crc32c::Unmask(LoadLe32(data.data() + pos + length)) !=
        crc32c::Value(data.data() + pos, length)) {
      return DataLoss(where + ": data checksum mismatch");
    }
    if (static_cast<int>(records.size()) >= max_records) {
      return InvalidArgument("'" + path + "' has more than " + std::to_string(max_records) +
                             " records");
    }
    records.emplace_back(data.substr(pos, length));
    pos += length + 4;
  }
  return records;
}

StatusOr<int> RunWarmup(const SavedModel& model, const std::string& version_dir, int iterations) {
  const std::string path = version_dir + "/assets.extra/tf_serving_warmup_requests";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  TERN_ASSIGN_OR_RETURN(auto records, ReadTfRecords(path, kMaxWarmupRecords));
  for (size_t i = 0; i < records.size(); ++i) {
    tensorflow::serving::PredictionLog log;
    if (!log.ParseFromString(records[i])) {
      return DataLoss("warmup record " + std::to_string(i) + " of '" + path +
                      "' is not a PredictionLog");
    }
    for (int iteration = 0; iteration < std::max(1, iterations); ++iteration) {
      Status run = RunRecord(model, log);
      if (!run.ok()) {
        return run.WithContext("warmup record " + std::to_string(i) + " of '" + path + "'");
      }
    }
  }
  return static_cast<int>(records.size());
}

}  // namespace tern
