#include "loader/warmup.h"

#include <algorithm>
#include <filesystem>

#include "loader/tf_record.h"
#include "loader/warmup_record.h"

namespace tern {
namespace {

Status RunCall(const ServableModel& model, const WarmupCall& call) {
  if (!call.examples.has_value()) {
    return model.RunSignature(call.signature_name, call.inputs, call.output_filter, RunOptions())
        .status();
  }
  TERN_ASSIGN_OR_RETURN(const Signature* signature, model.FindSignature(call.signature_name));
  if (signature->inputs.size() != 1) {
    return InvalidArgument("signature '" + call.signature_name + "' has " +
                           std::to_string(signature->inputs.size()) +
                           " inputs; classify/regress need exactly one (serialized tf.Example)");
  }
  std::map<std::string, Tensor> feeds{{signature->inputs.begin()->first, *call.examples}};
  return model.RunSignature(call.signature_name, feeds, {}, RunOptions()).status();
}

}  // namespace

StatusOr<int> RunWarmup(const ServableModel& model, const std::string& version_dir,
                        int iterations) {
  const std::string path = version_dir + "/assets.extra/tf_serving_warmup_requests";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  TERN_ASSIGN_OR_RETURN(auto records, ReadTfRecords(path, kMaxWarmupRecords));
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string where = "warmup record " + std::to_string(i) + " of '" + path + "'";
    auto calls = DecodeWarmupRecord(records[i]);
    if (!calls.ok()) return calls.status().WithContext(where);
    for (int iteration = 0; iteration < std::max(1, iterations); ++iteration) {
      for (const WarmupCall& call : *calls) {
        Status run = RunCall(model, call);
        if (!run.ok()) return run.WithContext(where);
      }
    }
  }
  return static_cast<int>(records.size());
}

}  // namespace tern
