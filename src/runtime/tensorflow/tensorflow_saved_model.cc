#include "runtime/tensorflow/tensorflow_saved_model.h"

#include <chrono>

#include "common/startup_trace.h"
#include "runtime/memory_account.h"
#include "runtime/saved_model/side_effect_ops.h"
#include "runtime/tensorflow/tensorflow_tensor.h"

namespace tern {
namespace {

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// A serialized tensorflow.ConfigProto with the thread pools' sizes (fields 2 and 5, int32);
// Tern has no copy of config.proto, and these two fields are all it sets.
std::string SessionConfig(const TensorflowOptions& options) {
  std::string config;
  if (options.intra_op_threads > 0) {
    config.push_back(2 << 3);
    AppendVarint(options.intra_op_threads, &config);
  }
  if (options.inter_op_threads > 0) {
    config.push_back(5 << 3);
    AppendVarint(options.inter_op_threads, &config);
  }
  return config;
}

// A serialized tensorflow.RunOptions with timeout_in_ms (field 2, int64) from the deadline.
std::string RunOptionsFor(const RunOptions& options) {
  std::string run;
  if (options.deadline == std::chrono::steady_clock::time_point::max()) return run;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        options.deadline - std::chrono::steady_clock::now())
                        .count();
  run.push_back(2 << 3);
  AppendVarint(static_cast<uint64_t>(std::max<int64_t>(left, 1)), &run);
  return run;
}

// TF_Status owned for one call.
struct ScopedStatus {
  explicit ScopedStatus(const TfApi* api) : api(api), status(api->TF_NewStatus()) {}
  ~ScopedStatus() { api->TF_DeleteStatus(status); }
  const TfApi* api;
  TF_Status* status;
};

}  // namespace

StatusOr<std::unique_ptr<TensorflowSavedModel>> TensorflowSavedModel::Load(
    const std::string& export_dir, const std::vector<std::string>& tags) {
  TERN_ASSIGN_OR_RETURN(const TfApi* api, TensorflowApi());
  auto model = std::unique_ptr<TensorflowSavedModel>(new TensorflowSavedModel(api));
  model->export_dir_ = export_dir;
  model->graph_ = api->TF_NewGraph();
  ScopedStatus status(api);
  TF_SessionOptions* session_options = api->TF_NewSessionOptions();
  const std::string config = SessionConfig(CurrentTensorflowOptions());
  if (!config.empty()) {
    api->TF_SetConfig(session_options, config.data(), config.size(), status.status);
  }
  Status configured = FromTfStatus(*api, status.status, "TensorFlow session config");
  if (!configured.ok()) {
    api->TF_DeleteSessionOptions(session_options);
    return configured;
  }
  std::vector<const char*> tag_ptrs;
  for (const auto& t : tags) tag_ptrs.push_back(t.c_str());
  TF_Buffer* meta_graph = api->TF_NewBuffer();
  model->session_ = api->TF_LoadSessionFromSavedModel(
      session_options, /*run_options=*/nullptr, export_dir.c_str(), tag_ptrs.data(),
      static_cast<int>(tag_ptrs.size()), model->graph_, meta_graph, status.status);
  api->TF_DeleteSessionOptions(session_options);
  Status loaded =
      FromTfStatus(*api, status.status, "TensorFlow loading SavedModel '" + export_dir + "'");
  if (loaded.ok() &&
      !model->meta_graph_.ParseFromArray(meta_graph->data, static_cast<int>(meta_graph->length))) {
    loaded =
        Internal("TensorFlow returned a MetaGraphDef Tern cannot parse for '" + export_dir + "'");
  }
  api->TF_DeleteBuffer(meta_graph);
  TERN_RETURN_IF_ERROR(loaded);
  MarkStartupPhase("model_read");
  // The same refusal as Tern's runtime: the reason is what the ops do, not who runs them.
  auto reaching_out = RequestTimeSideEffectOps(model->meta_graph_);
  if (!reaching_out.empty()) {
    return FailedPrecondition(SideEffectOpsMessage(reaching_out) + " (SavedModel '" + export_dir +
                              "'; see docs/models.md#what-a-model-may-do)");
  }
  // TensorFlow holds the graph; Tern keeps the signatures and collections only.
  model->meta_graph_.mutable_graph_def()->Clear();
  model->signatures_ = SignaturesOf(model->meta_graph_);
  TERN_RETURN_IF_ERROR(model->ResolveSignatures());
  MarkStartupPhase("plans_built");
  return model;
}

TensorflowSavedModel::~TensorflowSavedModel() {
  if (session_ != nullptr) {
    ScopedStatus status(api_);
    api_->TF_CloseSession(session_, status.status);
    api_->TF_DeleteSession(session_, status.status);
  }
  if (graph_ != nullptr) api_->TF_DeleteGraph(graph_);
}

Status TensorflowSavedModel::ResolveSignatures() {
  for (const auto& [name, signature] : signatures_) {
    for (const auto* side : {&signature.inputs, &signature.outputs}) {
      for (const auto& [key, t] : *side) {
        auto endpoint = Endpoint(t.tensor_name);
        if (!endpoint.ok()) return endpoint.status().WithContext("signature '" + name + "'");
        endpoints_[t.tensor_name] = *endpoint;
      }
    }
  }
  return Status::Ok();
}

StatusOr<TF_Output> TensorflowSavedModel::Endpoint(const std::string& tensor_name) const {
  std::string node = tensor_name;
  int index = 0;
  const size_t colon = tensor_name.rfind(':');
  if (colon != std::string::npos) {
    node = tensor_name.substr(0, colon);
    index = std::atoi(tensor_name.c_str() + colon + 1);
  }
  TF_Operation* op = api_->TF_GraphOperationByName(graph_, node.c_str());
  if (op == nullptr || index < 0 || index >= api_->TF_OperationNumOutputs(op)) {
    return InvalidArgument("tensor '" + tensor_name + "' is not in the graph TensorFlow loaded");
  }
  return TF_Output{op, index};
}

StatusOr<std::map<std::string, Tensor>> TensorflowSavedModel::RunSignature(
    const std::string& signature_name, const std::map<std::string, Tensor>& inputs,
    const std::vector<std::string>& output_filter, const RunOptions& options) const {
  TERN_ASSIGN_OR_RETURN(auto call, PrepareCall(signature_name, inputs, output_filter));
  std::vector<TF_Output> feeds;
  std::vector<TF_Tensor*> feed_values;
  auto free_feeds = [&] {
    for (TF_Tensor* t : feed_values) api_->TF_DeleteTensor(t);
  };
  for (const auto& [name, tensor] : call.feeds) {
    auto value = ToTfTensor(*api_, tensor);
    if (!value.ok()) {
      free_feeds();
      return value.status();
    }
    feeds.push_back(endpoints_.at(name));
    feed_values.push_back(*value);
  }
  std::vector<TF_Output> fetches;
  for (const auto& name : call.fetches) fetches.push_back(endpoints_.at(name));
  std::vector<TF_Tensor*> values(fetches.size(), nullptr);
  const std::string run_options = RunOptionsFor(options);
  TF_Buffer* run_buffer =
      run_options.empty() ? nullptr
                          : api_->TF_NewBufferFromString(run_options.data(), run_options.size());
  ScopedStatus status(api_);
  api_->TF_SessionRun(session_, run_buffer, feeds.data(), feed_values.data(),
                      static_cast<int>(feeds.size()), fetches.data(), values.data(),
                      static_cast<int>(fetches.size()), /*target_opers=*/nullptr, 0,
                      /*run_metadata=*/nullptr, status.status);
  if (run_buffer != nullptr) api_->TF_DeleteBuffer(run_buffer);
  free_feeds();
  Status ran =
      FromTfStatus(*api_, status.status, "TensorFlow running signature '" + signature_name + "'");
  std::map<std::string, Tensor> outputs;
  // Outputs are charged to the request's account like Tern's own kernels' outputs.
  RunMemoryScope charge_to(options.memory);
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] == nullptr) continue;
    if (!ran.ok()) {
      api_->TF_DeleteTensor(values[i]);
      continue;
    }
    // Takes values[i]: its buffer becomes the output's, no copy.
    auto tensor = FromTfTensor(*api_, values[i]);
    if (tensor.ok()) {
      outputs[call.keys[i]] = std::move(*tensor);
    } else {
      ran = tensor.status();
    }
  }
  TERN_RETURN_IF_ERROR(ran);
  return outputs;
}

StatusOr<std::unique_ptr<ServableModel>> LoadTensorflowSavedModel(
    const std::string& export_dir, const std::vector<std::string>& tags) {
  TERN_ASSIGN_OR_RETURN(auto model, TensorflowSavedModel::Load(export_dir, tags));
  return std::unique_ptr<ServableModel>(std::move(model));
}

}  // namespace tern
