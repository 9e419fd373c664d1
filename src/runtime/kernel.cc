#include "runtime/kernel.h"

#include "runtime/format/tensor_proto.h"

namespace tern {
namespace {

Status MissingAttr(const KernelConstruction& k, std::string_view name, std::string_view kind) {
  return k.Error("missing or mistyped attr '" + std::string(name) + "' (expected " +
                 std::string(kind) + ")");
}

}  // namespace

bool KernelConstruction::HasAttr(std::string_view name) const {
  return node_.attr().count(std::string(name)) > 0;
}

const tensorflow::AttrValue* KernelConstruction::FindAttr(std::string_view name) const {
  auto it = node_.attr().find(std::string(name));
  return it == node_.attr().end() ? nullptr : &it->second;
}

StatusOr<DataType> KernelConstruction::GetTypeAttr(std::string_view name) const {
  const auto* a = FindAttr(name);
  if (a == nullptr || a->value_case() != tensorflow::AttrValue::kType) {
    return MissingAttr(*this, name, "type");
  }
  return a->type();
}

StatusOr<int64_t> KernelConstruction::GetIntAttr(std::string_view name) const {
  const auto* a = FindAttr(name);
  if (a == nullptr || a->value_case() != tensorflow::AttrValue::kI) {
    return MissingAttr(*this, name, "int");
  }
  return a->i();
}

StatusOr<float> KernelConstruction::GetFloatAttr(std::string_view name) const {
  const auto* a = FindAttr(name);
  if (a == nullptr || a->value_case() != tensorflow::AttrValue::kF) {
    return MissingAttr(*this, name, "float");
  }
  return a->f();
}

StatusOr<std::string> KernelConstruction::GetStringAttr(std::string_view name) const {
  const auto* a = FindAttr(name);
  if (a == nullptr || a->value_case() != tensorflow::AttrValue::kS) {
    return MissingAttr(*this, name, "string");
  }
  return a->s();
}

bool KernelConstruction::GetBoolAttrOr(std::string_view name, bool fallback) const {
  const auto* a = FindAttr(name);
  if (a == nullptr || a->value_case() != tensorflow::AttrValue::kB) return fallback;
  return a->b();
}

std::string KernelConstruction::GetStringAttrOr(std::string_view name, std::string fallback) const {
  const auto* a = FindAttr(name);
  if (a == nullptr || a->value_case() != tensorflow::AttrValue::kS) return fallback;
  return a->s();
}

StatusOr<std::vector<DataType>> KernelConstruction::GetTypeListAttr(std::string_view name) const {
  const auto* a = FindAttr(name);
  if (a == nullptr) return MissingAttr(*this, name, "list(type)");
  std::vector<DataType> out;
  for (int t : a->list().type()) out.push_back(static_cast<DataType>(t));
  return out;
}

StatusOr<std::vector<int64_t>> KernelConstruction::GetIntListAttr(std::string_view name) const {
  const auto* a = FindAttr(name);
  if (a == nullptr) return MissingAttr(*this, name, "list(int)");
  return std::vector<int64_t>(a->list().i().begin(), a->list().i().end());
}

StatusOr<std::vector<std::string>> KernelConstruction::GetStringListAttr(
    std::string_view name) const {
  const auto* a = FindAttr(name);
  if (a == nullptr) return MissingAttr(*this, name, "list(string)");
  return std::vector<std::string>(a->list().s().begin(), a->list().s().end());
}

StatusOr<std::vector<std::vector<int64_t>>> KernelConstruction::GetShapeListAttr(
    std::string_view name) const {
  const auto* a = FindAttr(name);
  if (a == nullptr) return MissingAttr(*this, name, "list(shape)");
  std::vector<std::vector<int64_t>> out;
  for (const auto& shape : a->list().shape()) {
    std::vector<int64_t> dims;
    for (const auto& d : shape.dim()) dims.push_back(d.size());
    out.push_back(std::move(dims));
  }
  return out;
}

StatusOr<Tensor> KernelConstruction::GetTensorAttr(std::string_view name) const {
  const auto* a = FindAttr(name);
  if (a == nullptr || a->value_case() != tensorflow::AttrValue::kTensor) {
    return MissingAttr(*this, name, "tensor");
  }
  auto t = TensorFromProto(a->tensor());
  if (!t.ok()) return Error(t.status().message());
  return t;
}

Status KernelConstruction::Error(std::string_view message) const {
  return InvalidArgument("node '" + node_.name() + "' (op " + node_.op() +
                         "): " + std::string(message));
}

StatusOr<Tensor*> KernelContext::AllocateOutput(int i, DataType dtype, TensorShape shape,
                                                Tensor::Contents contents) {
  auto t = Tensor::Create(dtype, std::move(shape), contents);
  // Create's errors keep their code (INVALID_ARGUMENT for a bad shape, RESOURCE_EXHAUSTED for
  // a budget or a failed allocation) and gain the node, as Error's do.
  if (!t.ok()) return t.status().WithContext("node '" + node_name_ + "' (op " + op_ + ")");
  outputs_[i] = std::move(t).value();
  return &outputs_[i];
}

Status KernelContext::Error(std::string_view message) const {
  return InvalidArgument("node '" + node_name_ + "' (op " + op_ + "): " + std::string(message));
}

}  // namespace tern
