// EnsureShape: passes its input through if its shape is compatible with attr `shape` (unknown
// dims and an unknown rank match anything), else fails the run naming both shapes.
#include <optional>
#include <vector>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

std::string ShapeText(const std::optional<std::vector<int64_t>>& dims) {
  if (!dims) return "<unknown>";
  std::string s = "[";
  for (size_t i = 0; i < dims->size(); ++i) {
    s += (i ? "," : "") + ((*dims)[i] < 0 ? std::string("?") : std::to_string((*dims)[i]));
  }
  return s + "]";
}

class EnsureShapeKernel final : public OpKernel {
 public:
  explicit EnsureShapeKernel(std::optional<std::vector<int64_t>> expected)
      : expected_(std::move(expected)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (expected_) {
      bool compatible = static_cast<int>(expected_->size()) == x.rank();
      for (int i = 0; compatible && i < x.rank(); ++i) {
        compatible = (*expected_)[i] < 0 || (*expected_)[i] == x.dim(i);
      }
      if (!compatible) {
        std::vector<int64_t> got;
        for (int i = 0; i < x.rank(); ++i) got.push_back(x.dim(i));
        return ctx.Error("Shape of tensor " + ShapeText(got) +
                         " is not compatible with expected shape " + ShapeText(expected_) + ".");
      }
    }
    ctx.set_output(0, x);
    return Status::Ok();
  }

 private:
  const std::optional<std::vector<int64_t>> expected_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateEnsureShapeKernel(const KernelConstruction& c) {
  const tensorflow::AttrValue* attr = c.FindAttr("shape");
  if (attr == nullptr) return c.Error("missing attr 'shape'");
  std::optional<std::vector<int64_t>> dims;
  if (!attr->shape().unknown_rank()) {
    dims.emplace();
    for (const auto& d : attr->shape().dim()) dims->push_back(d.size());
  }
  return std::unique_ptr<OpKernel>(new EnsureShapeKernel(std::move(dims)));
}

}  // namespace tern
