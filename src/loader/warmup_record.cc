#include "loader/warmup_record.h"

#include "runtime/format/tensor_proto.h"
#include "serving/prediction_log.pb.h"

namespace tern {
namespace {

std::string SignatureOrDefault(const std::string& name) {
  return name.empty() ? "serving_default" : name;
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

StatusOr<WarmupCall> OnExamples(const std::string& signature_name,
                                const tensorflow::serving::Input& input) {
  WarmupCall call;
  call.signature_name = SignatureOrDefault(signature_name);
  TERN_ASSIGN_OR_RETURN(call.examples, ExamplesTensor(input));
  return call;
}

}  // namespace

StatusOr<std::vector<WarmupCall>> DecodeWarmupRecord(std::string_view record) {
  using Log = tensorflow::serving::PredictionLog;
  Log log;
  if (!log.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
    return DataLoss("not a PredictionLog");
  }
  std::vector<WarmupCall> calls;
  switch (log.log_type_case()) {
    case Log::kPredictLog: {
      const auto& request = log.predict_log().request();
      WarmupCall call;
      call.signature_name = SignatureOrDefault(request.model_spec().signature_name());
      for (const auto& [key, proto] : request.inputs()) {
        auto tensor = TensorFromProto(proto);
        if (!tensor.ok()) return tensor.status().WithContext("input '" + key + "'");
        call.inputs.emplace(key, std::move(tensor).value());
      }
      call.output_filter.assign(request.output_filter().begin(), request.output_filter().end());
      calls.push_back(std::move(call));
      return calls;
    }
    case Log::kClassifyLog: {
      const auto& request = log.classify_log().request();
      TERN_ASSIGN_OR_RETURN(auto call,
                            OnExamples(request.model_spec().signature_name(), request.input()));
      calls.push_back(std::move(call));
      return calls;
    }
    case Log::kRegressLog: {
      const auto& request = log.regress_log().request();
      TERN_ASSIGN_OR_RETURN(auto call,
                            OnExamples(request.model_spec().signature_name(), request.input()));
      calls.push_back(std::move(call));
      return calls;
    }
    case Log::kMultiInferenceLog: {
      const auto& request = log.multi_inference_log().request();
      for (const auto& task : request.tasks()) {
        TERN_ASSIGN_OR_RETURN(auto call,
                              OnExamples(task.model_spec().signature_name(), request.input()));
        calls.push_back(std::move(call));
      }
      return calls;
    }
    case Log::LOG_TYPE_NOT_SET: break;
  }
  return InvalidArgument(
      "record has no predict_log, classify_log, regress_log or multi_inference_log");
}

}  // namespace tern
