#include "runtime/saved_model/saved_model.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/logging.h"
#include "common/startup_trace.h"
#include "runtime/format/saved_model_proto.h"
#include "runtime/saved_model/inspect.h"
#include "runtime/saved_model/object_graph_restore.h"
#include "runtime/saved_model/side_effect_ops.h"
#include "tf/saved_model.pb.h"

namespace tern {
namespace {

constexpr char kInitOpSignature[] = "__saved_model_init_op";

std::string NodeNameOf(const std::string& tensor_name) {
  std::string node;
  int output = 0;
  ParseTensorName(tensor_name, &node, &output);
  return node;
}

}  // namespace

bool IsUnsupportedOpsError(const Status& status) {
  // Both the inventory below and a plan's kernel lookup (plan.cc) say it this way.
  return status.code() == StatusCode::kUnimplemented &&
         status.message().find("unsupported ops: ") != std::string::npos;
}

StatusOr<std::unique_ptr<SavedModel>> SavedModel::Load(const std::string& export_dir,
                                                       const SavedModelLoadOptions& options) {
  auto model = std::unique_ptr<SavedModel>(new SavedModel());
  model->export_dir_ = export_dir;
  tensorflow::SavedModel proto;
  TERN_RETURN_IF_ERROR(ReadSavedModelProto(export_dir, &proto));
  MarkStartupPhase("model_read");

  std::set<std::string> wanted(options.tags.begin(), options.tags.end());
  std::string available;
  int chosen = -1;
  for (int i = 0; i < proto.meta_graphs_size(); ++i) {
    const auto& tags = proto.meta_graphs(i).meta_info_def().tags();
    if (std::set<std::string>(tags.begin(), tags.end()) == wanted) chosen = i;
    available += (available.empty() ? "" : "; ");
    for (int t = 0; t < tags.size(); ++t) available += (t ? "," : "") + tags[t];
  }
  if (chosen < 0) {
    std::string want;
    for (const auto& t : options.tags) want += (want.empty() ? "" : ",") + t;
    return NotFound("SavedModel in '" + export_dir + "' has no MetaGraphDef with tags {" + want +
                    "}; it has: {" + available + "}");
  }
  model->meta_graph_ = std::move(*proto.mutable_meta_graphs(chosen));
  // Ops that reach outside the request, before the missing ones: the reason to refuse them is
  // not that Tern lacks a kernel (it has some: RestoreV2 for the saver), and adding one would
  // not help.
  auto reaching_out = RequestTimeSideEffectOps(model->meta_graph_);
  if (!reaching_out.empty()) {
    return FailedPrecondition(SideEffectOpsMessage(reaching_out) + " (SavedModel '" + export_dir +
                              "'; see docs/models.md#what-a-model-may-do)");
  }
  // Every missing op at once, before any work: a user fixes (or reports) them all in one go.
  auto unsupported = InventoryOps(model->meta_graph_).Unsupported();
  if (!unsupported.empty()) {
    return Unimplemented(UnsupportedOpsMessage(unsupported) + " (SavedModel '" + export_dir + "')");
  }
  // Read before the graph moves into the session.
  const std::vector<BoundVariable> bound_variables = BoundVariablesOf(model->meta_graph_);
  TERN_ASSIGN_OR_RETURN(model->session_,
                        Session::Create(std::move(*model->meta_graph_.mutable_graph_def())));
  MarkStartupPhase("graph_built");
  TERN_RETURN_IF_ERROR(model->Restore(bound_variables));
  MarkStartupPhase("variables_restored");
  TERN_RETURN_IF_ERROR(model->RunInitOp());
  MarkStartupPhase("init_op_run");
  TERN_RETURN_IF_ERROR(model->BuildSignatures());
  MarkStartupPhase("plans_built");
  return model;
}

Status SavedModel::Restore(const std::vector<BoundVariable>& bound_variables) {
  namespace fs = std::filesystem;
  const std::string prefix = export_dir_ + "/variables/variables";
  const auto& saver = meta_graph_.saver_def();
  std::error_code ec;
  if (saver.restore_op_name().empty() || !fs::exists(prefix + ".index", ec)) {
    return Status::Ok();  // a model without variables
  }
  auto result = session_->Run({{saver.filename_tensor_name(), Tensor::Scalar<std::string>(prefix)}},
                              {}, {saver.restore_op_name()}, RunOptions());
  if (!result.ok()) return result.status().WithContext("restoring variables from '" + prefix + "'");
  auto by_object_graph =
      RestoreBoundVariables(bound_variables, meta_graph_, prefix, session_->resources());
  if (!by_object_graph.ok()) {
    return by_object_graph.status().WithContext("restoring variables by the object graph");
  }
  if (*by_object_graph > 0) {
    TERN_LOG(Info) << "SavedModel '" << export_dir_ << "': restored " << *by_object_graph
                   << " variable(s) its SaverDef leaves out, by the object graph";
  }
  return Status::Ok();
}

Status SavedModel::RunInitOp() {
  std::string init_node;
  auto sig = meta_graph_.signature_def().find(kInitOpSignature);
  if (sig != meta_graph_.signature_def().end() && !sig->second.outputs().empty()) {
    init_node = NodeNameOf(sig->second.outputs().begin()->second.name());
  } else {
    for (const char* collection : {"saved_model_main_op", "legacy_init_op"}) {
      auto it = meta_graph_.collection_def().find(collection);
      if (it != meta_graph_.collection_def().end() && it->second.node_list().value_size() > 0) {
        init_node = NodeNameOf(it->second.node_list().value(0));
        break;
      }
    }
  }
  if (init_node.empty()) return Status::Ok();
  // Asset files are fed as their absolute paths: the graph's own constant still holds the path
  // the exporter read them from, long gone on the serving machine. TF2 lists them in
  // asset_file_def; TF1 (Estimator, SavedModelBuilder) in the saved_model_assets collection.
  std::vector<std::pair<std::string, Tensor>> feeds;
  auto feed = [&](const tensorflow::AssetFileDef& asset) {
    for (const auto& [name, path] : feeds) {
      if (name == asset.tensor_info().name()) return;  // listed in both places
    }
    feeds.emplace_back(asset.tensor_info().name(),
                       Tensor::Scalar<std::string>(export_dir_ + "/assets/" + asset.filename()));
  };
  for (const auto& asset : meta_graph_.asset_file_def()) feed(asset);
  auto legacy = meta_graph_.collection_def().find("saved_model_assets");
  if (legacy != meta_graph_.collection_def().end()) {
    for (const auto& any : legacy->second.any_list().value()) {
      tensorflow::AssetFileDef asset;
      if (!any.UnpackTo(&asset) || asset.tensor_info().name().empty()) {
        return InvalidArgument(
            "collection 'saved_model_assets' holds an entry that is not an "
            "AssetFileDef naming a tensor (type " +
            any.type_url() + ")");
      }
      feed(asset);
    }
  }
  auto result = session_->Run(feeds, {}, {init_node}, RunOptions());
  if (!result.ok()) return result.status().WithContext("running init op '" + init_node + "'");
  return Status::Ok();
}

Status SavedModel::BuildSignatures() {
  // Every plan is built now, so a signature that cannot run fails the load, not a request.
  for (auto& [name, s] : SignaturesOf(meta_graph_)) {
    PlanSpec spec;
    for (const auto& [key, t] : s.inputs) spec.feeds.push_back(t.tensor_name);
    for (const auto& [key, t] : s.outputs) spec.fetches.push_back(t.tensor_name);
    auto plan = session_->Prepare(spec);
    if (!plan.ok()) return plan.status().WithContext("signature '" + name + "'");
    signatures_.emplace(name, std::move(s));
  }
  return Status::Ok();
}

StatusOr<std::map<std::string, Tensor>> SavedModel::RunSignature(
    const std::string& signature_name, const std::map<std::string, Tensor>& inputs,
    const std::vector<std::string>& output_filter, const RunOptions& options) const {
  TERN_ASSIGN_OR_RETURN(auto call, PrepareCall(signature_name, inputs, output_filter));
  TERN_ASSIGN_OR_RETURN(auto values, session_->Run(call.feeds, call.fetches, {}, options));
  std::map<std::string, Tensor> outputs;
  for (size_t i = 0; i < call.keys.size(); ++i) outputs[call.keys[i]] = std::move(values[i]);
  return outputs;
}

}  // namespace tern
