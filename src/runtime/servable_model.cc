#include "runtime/servable_model.h"

namespace tern {
namespace {

constexpr char kInitOpSignature[] = "__saved_model_init_op";

SignatureTensor ToSignatureTensor(const tensorflow::TensorInfo& info) {
  SignatureTensor t;
  t.tensor_name = info.name();
  t.dtype = info.dtype();
  t.unknown_rank = info.tensor_shape().unknown_rank();
  for (const auto& d : info.tensor_shape().dim()) t.dims.push_back(d.size());
  return t;
}

}  // namespace

std::map<std::string, Signature> SignaturesOf(const tensorflow::MetaGraphDef& meta_graph) {
  std::map<std::string, Signature> out;
  for (const auto& [name, def] : meta_graph.signature_def()) {
    if (name == kInitOpSignature) continue;
    Signature s;
    s.name = name;
    s.method_name = def.method_name();
    for (const auto& [key, info] : def.inputs()) s.inputs[key] = ToSignatureTensor(info);
    for (const auto& [key, info] : def.outputs()) s.outputs[key] = ToSignatureTensor(info);
    out.emplace(name, std::move(s));
  }
  return out;
}

StatusOr<const Signature*> ServableModel::FindSignature(const std::string& name) const {
  auto it = signatures_.find(name);
  if (it != signatures_.end()) return &it->second;
  std::string names;
  for (const auto& [n, s] : signatures_) names += (names.empty() ? "" : ", ") + n;
  return NotFound("Serving signature name: \"" + name + "\" not found in signature def; " +
                  "available signatures: " + names);
}

StatusOr<ServableModel::SignatureCall> ServableModel::PrepareCall(
    const std::string& signature_name, const std::map<std::string, Tensor>& inputs,
    const std::vector<std::string>& output_filter) const {
  TERN_ASSIGN_OR_RETURN(const Signature* signature, FindSignature(signature_name));
  SignatureCall call;
  for (const auto& [key, tensor] : inputs) {
    auto it = signature->inputs.find(key);
    if (it == signature->inputs.end()) {
      std::string names;
      for (const auto& [k, t] : signature->inputs) names += (names.empty() ? "" : ", ") + k;
      return InvalidArgument("input '" + key + "' is not in signature '" + signature_name +
                             "'; its inputs are: " + names);
    }
    if (tensor.dtype() != it->second.dtype) {
      return InvalidArgument("input '" + key + "' of signature '" + signature_name +
                             "' expects dtype " + DataTypeName(it->second.dtype) + " but got " +
                             DataTypeName(tensor.dtype()));
    }
    call.feeds.emplace_back(it->second.tensor_name, tensor);
  }
  for (const auto& [key, t] : signature->inputs) {
    if (!inputs.count(key)) {
      return InvalidArgument("signature '" + signature_name + "' needs input '" + key +
                             "', which the request lacks");
    }
  }
  if (output_filter.empty()) {
    for (const auto& [key, t] : signature->outputs) call.keys.push_back(key);
  } else {
    for (const auto& key : output_filter) {
      if (!signature->outputs.count(key)) {
        return InvalidArgument("output_filter names '" + key +
                               "', which is not an output of signature '" + signature_name + "'");
      }
      call.keys.push_back(key);
    }
  }
  for (const auto& key : call.keys) call.fetches.push_back(signature->outputs.at(key).tensor_name);
  return call;
}

}  // namespace tern
