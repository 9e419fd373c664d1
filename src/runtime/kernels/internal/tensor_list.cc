#include "runtime/kernels/internal/tensor_list.h"

#include "runtime/kernels/internal/common.h"

namespace tern {

bool PartialShape::FullyDefined() const {
  if (!known_rank) return false;
  for (int64_t d : dims) {
    if (d < 0) return false;
  }
  return true;
}

std::string PartialShape::DebugString() const {
  if (!known_rank) return "<unknown>";
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    s += (i ? "," : "") + (dims[i] < 0 ? std::string("?") : std::to_string(dims[i]));
  }
  return s + "]";
}

bool PartialShape::CompatibleWith(const TensorShape& shape) const {
  if (!known_rank) return true;
  if (static_cast<int>(dims.size()) != shape.rank()) return false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] >= 0 && dims[i] != shape.dim(static_cast<int>(i))) return false;
  }
  return true;
}

Tensor TensorListTensor(std::shared_ptr<const TensorList> list) {
  return Tensor::FromVariant(std::move(list));
}

StatusOr<const TensorList*> TensorListInput(const KernelContext& ctx, int i) {
  const Tensor& t = ctx.input(i);
  const auto* list = dynamic_cast<const TensorList*>(t.variant());
  if (t.dtype() != tensorflow::DT_VARIANT || t.rank() != 0 || list == nullptr) {
    return ctx.Error("input " + std::to_string(i) + " must be a scalar TensorList, got " +
                     t.DebugString());
  }
  return list;
}

Status ReadPartialShape(const KernelContext& ctx, const Tensor& t, PartialShape* out) {
  std::vector<int64_t> values;
  TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, t, "element_shape", &values));
  if (t.rank() == 0) {
    if (values[0] != -1) {
      return ctx.Error("a scalar element_shape must be -1 (unknown rank), got " +
                       std::to_string(values[0]));
    }
    *out = PartialShape{};
    return Status::Ok();
  }
  if (t.rank() != 1) {
    return ctx.Error("element_shape must be a scalar or 1-D, got shape " + t.shape().DebugString());
  }
  for (int64_t v : values) {
    if (v < -1) return ctx.Error("element_shape has a dimension " + std::to_string(v) + " < -1");
  }
  out->known_rank = true;
  out->dims = std::move(values);
  return Status::Ok();
}

StatusOr<PartialShape> MergeShapes(const KernelContext& ctx, const PartialShape& a,
                                   const PartialShape& b) {
  if (!a.known_rank) return b;
  if (!b.known_rank) return a;
  if (a.dims.size() != b.dims.size()) {
    return ctx.Error("element shapes " + a.DebugString() + " and " + b.DebugString() +
                     " have different ranks");
  }
  PartialShape out = a;
  for (size_t i = 0; i < a.dims.size(); ++i) {
    if (a.dims[i] < 0) {
      out.dims[i] = b.dims[i];
    } else if (b.dims[i] >= 0 && b.dims[i] != a.dims[i]) {
      return ctx.Error("element shapes " + a.DebugString() + " and " + b.DebugString() +
                       " are incompatible");
    }
  }
  return out;
}

Status CheckElementDtype(const KernelContext& ctx, const TensorList& list, DataType expected) {
  if (list.element_dtype != expected) {
    return ctx.Error("the list holds " + DataTypeName(list.element_dtype) +
                     " elements but the op's element_dtype is " + DataTypeName(expected));
  }
  return Status::Ok();
}

}  // namespace tern
