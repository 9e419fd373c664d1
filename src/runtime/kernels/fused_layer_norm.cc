// _FusedLayerNorm: layer normalization over the last axis, as Keras 3's LayerNormalization
// writes it in ten ops (runtime/optimize/fuse_layer_norm.h finds them):
//   mean = Mean(x, -1, keepdims), var = Mean(SquaredDifference(x, mean), -1, keepdims)
//   inv = Rsqrt(var + epsilon) [* gamma]
//   out = x * inv + (-mean * inv [+ beta])
// Inputs: x, then gamma when attr `scale`, then beta when attr `center`; attr `epsilon`. float.
// Per row (the last axis, in cache) the mean and variance are two sums and the output one pass,
// in the graph's order of operations: scale = inv * gamma and shift = -mean * scale + beta per
// channel, out = x * scale + shift (internal/vector_math.h, vectorized per ISA). A gamma or beta
// that is not per channel ([C], [1,..,1,C] or one element) is still computed as the graph would,
// with broadcasting, off the fast path.
#include <Eigen/Core>

#include <cmath>
#include <vector>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/internal/vector_math.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class FusedLayerNormKernel final : public OpKernel {
 public:
  FusedLayerNormKernel(float epsilon, bool scale, bool center)
      : epsilon_(epsilon), scale_(scale), center_(center) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != tensorflow::DT_FLOAT) {
      return ctx.Error("dtype " + DataTypeName(x.dtype()) + " is not supported (float)");
    }
    if (x.rank() < 1)
      return ctx.Error("Invalid reduction dimension -1 for input with 0 dimensions");
    const Tensor* gamma = scale_ ? &ctx.input(1) : nullptr;
    const Tensor* beta = center_ ? &ctx.input(scale_ ? 2 : 1) : nullptr;
    for (const Tensor* t : {gamma, beta}) {
      if (t != nullptr && t->dtype() != tensorflow::DT_FLOAT) {
        return ctx.Error("gamma and beta must be float, got " + DataTypeName(t->dtype()));
      }
    }
    const int64_t depth = x.dim(x.rank() - 1);
    const int64_t rows = depth == 0 ? 0 : x.num_elements() / depth;
    if (PerChannel(gamma, x) && PerChannel(beta, x)) {
      TERN_ASSIGN_OR_RETURN(Tensor * out,
                            ctx.AllocateOutput(0, x.dtype(), x.shape(), Tensor::Contents::kUnset));
      Rows(x.flat<float>(), rows, depth, gamma, beta, out->flat<float>());
      return Status::Ok();
    }
    return General(ctx, x, rows, depth, gamma, beta);
  }

 private:
  using Array = Eigen::Array<float, Eigen::Dynamic, 1>;
  using ConstRow = Eigen::Map<const Array>;

  // `t` is absent, or broadcasts along x's last axis only: rank <= x's, every dim but the last
  // 1, the last 1 or x's.
  static bool PerChannel(const Tensor* t, const Tensor& x) {
    if (t == nullptr) return true;
    if (t->rank() > x.rank()) return false;
    for (int d = 0; d + 1 < t->rank(); ++d) {
      if (t->dim(d) != 1) return false;
    }
    return t->rank() == 0 || t->dim(t->rank() - 1) == 1 ||
           t->dim(t->rank() - 1) == x.dim(x.rank() - 1);
  }

  // A per-channel parameter's `depth` values: the tensor's own, or its one element repeated in
  // `storage`; nullptr for none.
  static const float* Channels(const Tensor* t, int64_t depth, std::vector<float>* storage) {
    if (t == nullptr) return nullptr;
    if (t->num_elements() == depth) return t->flat<float>();
    storage->assign(depth, t->flat<float>()[0]);
    return storage->data();
  }

  // mean and 1 / sqrt(variance + epsilon) of one row, for the general path.
  std::pair<float, float> Moments(const ConstRow& row) const {
    const float n = static_cast<float>(row.size());
    const float mean = row.sum() / n;
    const float variance = (row - mean).square().sum() / n;
    return {mean, 1.f / std::sqrt(variance + epsilon_)};
  }

  void Rows(const float* in, int64_t rows, int64_t depth, const Tensor* gamma, const Tensor* beta,
            float* out) const {
    std::vector<float> gamma_storage, beta_storage;
    LayerNormArgs args;
    args.in = in;
    args.rows = rows;
    args.depth = depth;
    args.gamma = Channels(gamma, depth, &gamma_storage);
    args.beta = Channels(beta, depth, &beta_storage);
    args.epsilon = epsilon_;
    // Rows split among idle cores (two passes over each row, and a write).
    ForEachRowRange(rows, 3 * depth * static_cast<int64_t>(sizeof(float)),
                    [&](int64_t begin, int64_t end) {
                      LayerNormArgs part = args;
                      part.in = in + begin * depth;
                      part.rows = end - begin;
                      part.out = out + begin * depth;
                      LayerNormRows(part);
                    });
  }

  // A tensor as values and a shape, for the general path.
  struct Values {
    std::vector<float> v;
    TensorShape shape;
  };

  template <typename Fn>
  static StatusOr<Values> Broadcast(const Values& a, const Values& b, Fn fn) {
    TERN_ASSIGN_OR_RETURN(TensorShape shape, BroadcastShape(a.shape, b.shape));
    const std::vector<int64_t> ia = BroadcastIndex(a.shape, shape);
    const std::vector<int64_t> ib = BroadcastIndex(b.shape, shape);
    Values out{std::vector<float>(shape.num_elements()), shape};
    for (size_t i = 0; i < out.v.size(); ++i) out.v[i] = fn(a.v[ia[i]], b.v[ib[i]]);
    return out;
  }

  static Values Of(const Tensor& t) {
    return {std::vector<float>(t.flat<float>(), t.flat<float>() + t.num_elements()), t.shape()};
  }

  // The graph's ops one after another, broadcasting as TensorFlow does.
  Status General(KernelContext& ctx, const Tensor& x, int64_t rows, int64_t depth,
                 const Tensor* gamma, const Tensor* beta) const {
    TensorShape stats_shape = x.shape();
    stats_shape.set_dim(x.rank() - 1, 1);
    Values neg_mean{std::vector<float>(rows), stats_shape};
    Values inv{std::vector<float>(rows), stats_shape};
    for (int64_t r = 0; r < rows; ++r) {
      const auto [mean, inverse] = Moments(ConstRow(x.flat<float>() + r * depth, depth));
      neg_mean.v[r] = -mean;
      inv.v[r] = inverse;
    }
    if (depth == 0) {  // Mean of nothing: TensorFlow's 0 / 0
      neg_mean.v.assign(stats_shape.num_elements(), -NAN);
      inv.v.assign(stats_shape.num_elements(), NAN);
    }
    auto mul = [](float a, float b) { return a * b; };
    auto add = [](float a, float b) { return a + b; };
    StatusOr<Values> scale = gamma ? Broadcast(inv, Of(*gamma), mul) : StatusOr<Values>(inv);
    if (!scale.ok()) return ctx.Error(scale.status().message());
    StatusOr<Values> shift = Broadcast(neg_mean, *scale, mul);
    if (shift.ok() && beta) shift = Broadcast(*shift, Of(*beta), add);
    if (!shift.ok()) return ctx.Error(shift.status().message());
    StatusOr<Values> y = Broadcast(Of(x), *scale, mul);
    if (y.ok()) y = Broadcast(*y, *shift, add);
    if (!y.ok()) return ctx.Error(y.status().message());
    TERN_ASSIGN_OR_RETURN(Tensor * out,
                          ctx.AllocateOutput(0, x.dtype(), y->shape, Tensor::Contents::kUnset));
    std::copy(y->v.begin(), y->v.end(), out->flat<float>());
    return Status::Ok();
  }

  const float epsilon_;
  const bool scale_;
  const bool center_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFusedLayerNormKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType type, c.GetTypeAttr("T"));
  if (type != tensorflow::DT_FLOAT) {
    return c.Error("dtype " + DataTypeName(type) + " is not supported (float)");
  }
  TERN_ASSIGN_OR_RETURN(float epsilon, c.GetFloatAttr("epsilon"));
  const bool scale = c.GetBoolAttrOr("scale", true);
  const bool center = c.GetBoolAttrOr("center", true);
  if (c.num_inputs() != 1 + scale + center) {
    return c.Error("expects " + std::to_string(1 + scale + center) + " inputs, got " +
                   std::to_string(c.num_inputs()));
  }
  return std::unique_ptr<OpKernel>(new FusedLayerNormKernel(epsilon, scale, center));
}

}  // namespace tern
