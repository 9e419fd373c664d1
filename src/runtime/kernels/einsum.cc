// Einsum with one or two operands, as Keras (MultiHeadAttention, EinsumDense) and tf.einsum
// export it: "abc,cde->abde", "...ij,...jk->...ik", "ij->ji". Labels in both operands and the
// output are batch dimensions, in both operands only are contracted, in one operand only are
// free (kept) or summed out first. The two-operand case is a transpose into
// [batch, free, contracted] x [batch, contracted, free], one batched GEMM (batch_mat_mul.h),
// and a transpose into the output's order. An ellipsis stands for the same leading dimensions
// in every operand (equal sizes, no broadcasting). A label repeated in one operand takes that
// operand's diagonal first ("bii->bi", "ii->"). An equation without "->" (tf.einsum resolves
// implicit outputs itself) and a label repeated in the output are rejected at load time.
// With attr `tern_constant_b` (runtime/optimize/fuse_mat_mul.h: operand b is a weight, Keras's
// EinsumDense), a product that is one matrix of fewer than kGemmPackedMaxRows rows times b as it
// lies runs on GemmPacked with b packed once (internal/gemm_packed.h).
// With attr `tern_fused_bias` ("AddV2" or "BiasAdd", the same pass: the EinsumDense's bias), the
// sum of the product and input 2 as that op gives it; a bias that is one row of a product on
// GemmPacked is added to each chunk of rows while in cache (at any row count).
#include <map>

#include "runtime/kernels/internal/batch_mat_mul.h"
#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/fused_activation.h"
#include "runtime/kernels/internal/gemm_packed.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

constexpr char kEllipsisLabel = '.';  // stands for the ellipsis dims, expanded per call

// An Add or BiasAdd of the product fused into the op (attr tern_fused_bias), its other operand
// the op's input 2.
enum class FusedBias { kNone, kAddV2, kBiasAdd };

struct Spec {
  std::vector<std::string> inputs;
  std::string output;
};

// Expands an operand's labels for a tensor of `rank`: the ellipsis becomes (rank - explicit)
// labels '0', '1', ... counted from the right so that every operand's share the same names.
StatusOr<std::string> ExpandLabels(const KernelContext& ctx, const std::string& labels, int rank,
                                   int ellipsis_rank) {
  const size_t pos = labels.find(kEllipsisLabel);
  if (pos == std::string::npos) {
    if (static_cast<int>(labels.size()) != rank) {
      return ctx.Error("subscripts '" + labels + "' have " + std::to_string(labels.size()) +
                       " labels for an operand of rank " + std::to_string(rank));
    }
    return labels;
  }
  const int explicit_labels = static_cast<int>(labels.size()) - 1;
  const int e = rank - explicit_labels;
  if (e < 0) {
    return ctx.Error("subscripts '" + labels + "' have more labels than the operand's rank " +
                     std::to_string(rank));
  }
  std::string out = labels.substr(0, pos);
  for (int i = ellipsis_rank - e; i < ellipsis_rank; ++i) out.push_back(static_cast<char>('0' + i));
  return out + labels.substr(pos + 1);
}

// A new tensor with t's dims permuted: out.dim(i) = t.dim(perm[i]). Shares t when perm is the
// identity.
StatusOr<Tensor> Permute(const KernelContext& ctx, const Tensor& t, const std::vector<int>& perm) {
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == static_cast<int>(i);
  if (identity) return t;
  const std::vector<int64_t> strides = RowMajorStrides(t.shape().dims());
  std::vector<int64_t> dims(perm.size()), pstrides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    dims[i] = t.dim(perm[i]);
    pstrides[i] = strides[perm[i]];
  }
  Tensor out(t.dtype(), TensorShape(dims));
  TERN_RETURN_IF_ERROR(DispatchByElementSize(
      t.dtype(), "operand",
      [&]<typename T>() -> Status {
        StridedGather(t.flat<T>(), 0, dims, pstrides, out.flat<T>());
        return Status::Ok();
      },
      ctx));
  return out;
}

// The diagonal over every label `labels` repeats (each kept once, at its first position);
// updates labels. Shares t when no label repeats.
StatusOr<Tensor> TakeDiagonals(const KernelContext& ctx, const Tensor& t, std::string* labels) {
  std::string unique;
  for (char l : *labels) {
    if (unique.find(l) == std::string::npos) unique.push_back(l);
  }
  if (unique.size() == labels->size()) return t;
  const std::vector<int64_t> strides = RowMajorStrides(t.shape().dims());
  std::vector<int64_t> dims(unique.size(), -1), dstrides(unique.size(), 0);
  for (size_t d = 0; d < labels->size(); ++d) {
    const size_t u = unique.find((*labels)[d]);
    if (dims[u] >= 0 && dims[u] != t.dim(static_cast<int>(d))) {
      return ctx.Error("label '" + std::string(1, unique[u]) + "' repeats over dims of sizes " +
                       std::to_string(dims[u]) + " and " +
                       std::to_string(t.dim(static_cast<int>(d))));
    }
    dims[u] = t.dim(static_cast<int>(d));
    dstrides[u] += strides[d];  // one step along the diagonal moves along every repeated dim
  }
  Tensor out(t.dtype(), TensorShape(dims));
  TERN_RETURN_IF_ERROR(DispatchByElementSize(
      t.dtype(), "operand",
      [&]<typename T>() -> Status {
        StridedGather(t.flat<T>(), 0, dims, dstrides, out.flat<T>());
        return Status::Ok();
      },
      ctx));
  *labels = unique;
  return out;
}

// Sums the labels of `labels` not in `keep` out of t; updates labels.
StatusOr<Tensor> SumOut(const KernelContext& ctx, const Tensor& t, std::string* labels,
                        const std::string& keep) {
  std::vector<int> perm;
  std::string kept;
  int64_t outer = 1, inner = 1;
  std::vector<int64_t> kept_dims;
  for (size_t i = 0; i < labels->size(); ++i) {
    if (keep.find((*labels)[i]) != std::string::npos) {
      perm.push_back(static_cast<int>(i));
      kept.push_back((*labels)[i]);
      kept_dims.push_back(t.dim(static_cast<int>(i)));
      outer *= t.dim(static_cast<int>(i));
    }
  }
  if (kept.size() == labels->size()) return t;
  for (size_t i = 0; i < labels->size(); ++i) {
    if (keep.find((*labels)[i]) == std::string::npos) {
      perm.push_back(static_cast<int>(i));
      inner *= t.dim(static_cast<int>(i));
    }
  }
  TERN_ASSIGN_OR_RETURN(Tensor p, Permute(ctx, t, perm));
  Tensor out(t.dtype(), TensorShape(kept_dims));
  TERN_RETURN_IF_ERROR(DispatchRealNumber(
      t.dtype(), "operand",
      [&]<typename T>() -> Status {
        const T* in = p.flat<T>();
        T* o = out.flat<T>();
        for (int64_t r = 0; r < outer; ++r) {
          T sum = T(0);
          for (int64_t j = 0; j < inner; ++j) sum = WrappingAdd(sum, in[r * inner + j]);
          o[r] = sum;
        }
        return Status::Ok();
      },
      ctx));
  *labels = kept;
  return out;
}

using LabelSizes = std::map<char, int64_t>;

int64_t LabelProduct(const LabelSizes& sizes, const std::string& labels) {
  int64_t p = 1;
  for (char l : labels) p *= sizes.at(l);
  return p;
}

std::vector<int64_t> LabelDims(const LabelSizes& sizes, const std::string& labels) {
  std::vector<int64_t> dims;
  for (char l : labels) dims.push_back(sizes.at(l));
  return dims;
}

// The permutation that takes dims labelled `from` into the order of `to`.
std::vector<int> PermutationOf(const std::string& from, const std::string& to) {
  std::vector<int> perm;
  for (char l : to) perm.push_back(static_cast<int>(from.find(l)));
  return perm;
}

Status EinsumOneOperand(KernelContext& ctx, std::string la, const std::string& out_labels,
                        const std::vector<int64_t>& out_dims) {
  TERN_ASSIGN_OR_RETURN(Tensor diagonal, TakeDiagonals(ctx, ctx.input(0), &la));
  TERN_ASSIGN_OR_RETURN(Tensor a, SumOut(ctx, diagonal, &la, out_labels));
  TERN_ASSIGN_OR_RETURN(Tensor out, Permute(ctx, a, PermutationOf(la, out_labels)));
  ctx.set_output(0, out.WithShape(TensorShape(out_dims)));
  return Status::Ok();
}

// [m, k] x b packed, or nullopt where b does not pack. Without `bias` only for fewer than
// kGemmPackedMaxRows rows (from there Gemm is as fast); with it (n floats, added to every row)
// at any size, a chunk of rows at a time with the bias added while the chunk is in cache.
StatusOr<std::optional<Tensor>> MultiplyPacked(const KernelContext& ctx, const Tensor& a, int64_t m,
                                               const Tensor& b, int64_t k, int64_t n,
                                               PackedWeights* packed_weights, const float* bias) {
  if (packed_weights == nullptr || (m >= kGemmPackedMaxRows && bias == nullptr) || k == 0 ||
      a.dtype() != tensorflow::DT_FLOAT || b.dtype() != tensorflow::DT_FLOAT) {
    return std::optional<Tensor>();
  }
  std::shared_ptr<const PackedMatrix> packed = packed_weights->For(b, 0, k, n);
  if (packed == nullptr) return std::optional<Tensor>();
  auto created = Tensor::Create(a.dtype(), TensorShape{m, n}, Tensor::Contents::kUnset);
  if (!created.ok()) return ctx.Error(created.status().message());
  float* c = created->flat<float>();
  if (m > 0 && n > 0 && bias == nullptr) GemmPacked(a.flat<float>(), m, *packed, c);
  if (m > 0 && n > 0 && bias != nullptr) {
    GemmPackedInChunks(m, EpilogueChunkRows(n), *packed, c,
                       [&](int64_t first, int64_t) { return a.flat<float>() + first * k; }, nullptr,
                       {.bias = bias});
  }
  return std::optional<Tensor>(std::move(created).value());
}

// Whether `bias` adds to every row of `out`'s innermost dims as a whole, as the Add or BiasAdd
// fused into the Einsum would add it: float, and (leading 1s aside, for an Add) the same dims
// as out's last ones. BiasAdd also needs out to be at least 2-D and the bias 1-D.
bool BiasFitsRows(FusedBias kind, const TensorShape& out, const Tensor& bias) {
  if (bias.dtype() != tensorflow::DT_FLOAT || bias.rank() > out.rank()) return false;
  if (kind == FusedBias::kBiasAdd && (out.rank() < 2 || bias.rank() != 1)) return false;
  int first = 0;
  while (first < bias.rank() && bias.dim(first) == 1) ++first;
  for (int i = first; i < bias.rank(); ++i) {
    if (bias.dim(i) != out.dim(out.rank() - bias.rank() + i)) return false;
  }
  return true;
}

// out + bias as the fused Add (NumPy broadcasting) or BiasAdd (along the last dim) gives it;
// `out` is the Einsum's own result, which a bias that fits its rows is added to in place.
StatusOr<Tensor> AddBias(const KernelContext& ctx, FusedBias kind, Tensor out, const Tensor& bias) {
  if (out.dtype() != tensorflow::DT_FLOAT || bias.dtype() != tensorflow::DT_FLOAT) {
    return ctx.Error("the fused bias must be float like the product, got " +
                     DataTypeName(bias.dtype()));
  }
  if (BiasFitsRows(kind, out.shape(), bias)) {
    const int64_t size = bias.num_elements();
    if (size > 0)
      AddBiasToRows(bias.flat<float>(), out.num_elements() / size, size, out.flat<float>());
    return out;
  }
  if (kind == FusedBias::kBiasAdd) {
    return ctx.Error(
        "the fused BiasAdd needs a 1-D bias as long as the last dim of a value of at "
        "least 2 dims, got value " +
        out.shape().DebugString() + " and bias " + bias.shape().DebugString());
  }
  TERN_ASSIGN_OR_RETURN(TensorShape shape, BroadcastShape(out.shape(), bias.shape()));
  auto sum = Tensor::Create(tensorflow::DT_FLOAT, shape, Tensor::Contents::kUnset);
  if (!sum.ok()) return ctx.Error(sum.status().message());
  const std::vector<int64_t> from_out = BroadcastIndex(out.shape(), shape);
  const std::vector<int64_t> from_bias = BroadcastIndex(bias.shape(), shape);
  float* s = sum->flat<float>();
  for (size_t i = 0; i < from_out.size(); ++i) {
    s[i] = out.flat<float>()[from_out[i]] + bias.flat<float>()[from_bias[i]];
  }
  return std::move(sum).value();
}

// `packed_weights`: where operand 1 is a weight, its packed copies; else nullptr. `bias`: where
// an Add or BiasAdd was fused in, its other operand; else nullptr.
Status EinsumTwoOperands(KernelContext& ctx, std::string la, std::string lb,
                         const LabelSizes& sizes, const std::string& out_labels,
                         const std::vector<int64_t>& out_dims, PackedWeights* packed_weights,
                         FusedBias bias_kind, const Tensor* bias) {
  TERN_ASSIGN_OR_RETURN(Tensor diagonal_a, TakeDiagonals(ctx, ctx.input(0), &la));
  TERN_ASSIGN_OR_RETURN(Tensor diagonal_b, TakeDiagonals(ctx, ctx.input(1), &lb));
  // Sum out labels that appear in one operand only and not in the output.
  TERN_ASSIGN_OR_RETURN(Tensor a, SumOut(ctx, diagonal_a, &la, out_labels + lb));
  TERN_ASSIGN_OR_RETURN(Tensor b, SumOut(ctx, diagonal_b, &lb, out_labels + la));
  std::string batch, free_a, free_b, contract;
  for (char l : la) {
    const bool in_b = lb.find(l) != std::string::npos;
    const bool in_out = out_labels.find(l) != std::string::npos;
    (in_b ? (in_out ? batch : contract) : free_a).push_back(l);
  }
  for (char l : lb) {
    if (la.find(l) == std::string::npos) free_b.push_back(l);
  }
  const int64_t nb = LabelProduct(sizes, batch), m = LabelProduct(sizes, free_a),
                k = LabelProduct(sizes, contract), nn = LabelProduct(sizes, free_b);
  TERN_ASSIGN_OR_RETURN(Tensor pa, Permute(ctx, a, PermutationOf(la, batch + free_a + contract)));
  const std::string prod_labels = batch + free_a + free_b;
  // The bias joins the product's rows where the product is the output as it lies and the bias
  // is one row of it.
  const float* row_bias = bias != nullptr && prod_labels == out_labels &&
                                  bias->num_elements() == nn &&
                                  BiasFitsRows(bias_kind, TensorShape(out_dims), *bias)
                              ? bias->flat<float>()
                              : nullptr;
  std::optional<Tensor> packed_product;
  // b as it lies is the [k, nn] matrix: no batch labels, none summed out, no diagonal taken,
  // contracted labels first.
  if (batch.empty() && lb == contract + free_b && b.raw_data() == ctx.input(1).raw_data()) {
    TERN_ASSIGN_OR_RETURN(
        packed_product, MultiplyPacked(ctx, pa, m, ctx.input(1), k, nn, packed_weights, row_bias));
  }
  const bool bias_added = packed_product.has_value() && row_bias != nullptr;
  Tensor prod;
  if (packed_product) {
    prod = std::move(*packed_product);
  } else {
    TERN_ASSIGN_OR_RETURN(Tensor pb, Permute(ctx, b, PermutationOf(lb, batch + contract + free_b)));
    const Tensor ma = pa.WithShape(TensorShape{nb, m, k});
    const Tensor mb = pb.WithShape(TensorShape{nb, k, nn});
    TERN_ASSIGN_OR_RETURN(prod, BatchedMatMul(ctx, MatMulOperands{&ma, &mb, false, false}));
  }
  TERN_ASSIGN_OR_RETURN(Tensor out,
                        Permute(ctx, prod.WithShape(TensorShape(LabelDims(sizes, prod_labels))),
                                PermutationOf(prod_labels, out_labels)));
  out = out.WithShape(TensorShape(out_dims));
  if (bias != nullptr && !bias_added) {
    TERN_ASSIGN_OR_RETURN(out, AddBias(ctx, bias_kind, std::move(out), *bias));
  }
  ctx.set_output(0, std::move(out));
  return Status::Ok();
}

class EinsumKernel final : public OpKernel {
 public:
  EinsumKernel(Spec spec, bool constant_b, FusedBias bias)
      : spec_(std::move(spec)),
        packed_weights_(constant_b ? std::make_unique<PackedWeights>() : nullptr),
        bias_(bias) {}

  Status Compute(KernelContext& ctx) const override {
    const int n = ctx.num_inputs() - (bias_ != FusedBias::kNone ? 1 : 0);
    if (n != static_cast<int>(spec_.inputs.size())) {
      return ctx.Error("the equation has " + std::to_string(spec_.inputs.size()) +
                       " operands but the op has " + std::to_string(n) + " inputs besides a " +
                       "fused bias");
    }
    const int ellipsis_rank = EllipsisRank(ctx);
    std::vector<std::string> labels(n);
    LabelSizes sizes;
    TERN_RETURN_IF_ERROR(LabelOperands(ctx, ellipsis_rank, &labels, &sizes));
    TERN_ASSIGN_OR_RETURN(std::string out_labels, OutputLabels(ctx, ellipsis_rank, sizes));
    const std::vector<int64_t> out_dims = LabelDims(sizes, out_labels);
    if (n == 1) return EinsumOneOperand(ctx, labels[0], out_labels, out_dims);
    return EinsumTwoOperands(ctx, labels[0], labels[1], sizes, out_labels, out_dims,
                             packed_weights_.get(), bias_,
                             bias_ != FusedBias::kNone ? &ctx.input(2) : nullptr);
  }

 private:
  // Dims the ellipsis stands for: the most any operand leaves to it.
  int EllipsisRank(const KernelContext& ctx) const {
    int ellipsis_rank = 0;
    for (int i = 0; i < static_cast<int>(spec_.inputs.size()); ++i) {
      if (spec_.inputs[i].find(kEllipsisLabel) != std::string::npos) {
        ellipsis_rank = std::max(
            ellipsis_rank, ctx.input(i).rank() - static_cast<int>(spec_.inputs[i].size()) + 1);
      }
    }
    return ellipsis_rank;
  }

  // Each operand's expanded labels, and each label's size (which must agree everywhere).
  Status LabelOperands(const KernelContext& ctx, int ellipsis_rank,
                       std::vector<std::string>* labels, LabelSizes* sizes) const {
    for (int i = 0; i < static_cast<int>(spec_.inputs.size()); ++i) {
      TERN_ASSIGN_OR_RETURN((*labels)[i],
                            ExpandLabels(ctx, spec_.inputs[i], ctx.input(i).rank(), ellipsis_rank));
      const std::string& li = (*labels)[i];
      for (size_t d = 0; d < li.size(); ++d) {
        const int64_t size = ctx.input(i).dim(static_cast<int>(d));
        auto [it, inserted] = sizes->emplace(li[d], size);
        if (!inserted && it->second != size) {
          return ctx.Error("label '" + std::string(1, li[d]) + "' has size " +
                           std::to_string(it->second) + " in one place and " +
                           std::to_string(size) + " in another");
        }
      }
    }
    return Status::Ok();
  }

  StatusOr<std::string> OutputLabels(const KernelContext& ctx, int ellipsis_rank,
                                     const LabelSizes& sizes) const {
    const bool out_has_ellipsis = spec_.output.find(kEllipsisLabel) != std::string::npos;
    const int out_rank =
        static_cast<int>(spec_.output.size()) - (out_has_ellipsis ? 1 - ellipsis_rank : 0);
    TERN_ASSIGN_OR_RETURN(std::string out_labels,
                          ExpandLabels(ctx, spec_.output, out_rank, ellipsis_rank));
    for (char l : out_labels) {
      if (!sizes.count(l)) {
        return ctx.Error("output label '" + std::string(1, l) + "' is in no operand");
      }
    }
    return out_labels;
  }

  const Spec spec_;
  const std::unique_ptr<PackedWeights> packed_weights_;  // null: operand 1 is no weight
  const FusedBias bias_;
};

StatusOr<Spec> ParseEquation(const KernelConstruction& c, const std::string& equation) {
  std::string eq;
  for (char ch : equation) {
    if (ch != ' ') eq.push_back(ch);
  }
  const size_t arrow = eq.find("->");
  if (arrow == std::string::npos) {
    // tf.einsum resolves an implicit output ("ij,jk") before it builds the op; the op itself
    // requires one, as TensorFlow's kernel does.
    return c.Error("equation '" + equation + "' has no '->' (the op needs an explicit output)");
  }
  Spec spec;
  std::string lhs = eq.substr(0, arrow);
  spec.output = eq.substr(arrow + 2);
  size_t start = 0;
  while (true) {
    const size_t comma = lhs.find(',', start);
    spec.inputs.push_back(
        lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (spec.inputs.size() > 2) {
    return c.Error("equation '" + equation + "' has " + std::to_string(spec.inputs.size()) +
                   " operands; at most 2 are supported");
  }
  for (std::string* s : [&] {
         std::vector<std::string*> all;
         for (auto& in : spec.inputs) all.push_back(&in);
         all.push_back(&spec.output);
         return all;
       }()) {
    // "..." -> one marker; labels must be letters and repeat only in an operand (a diagonal).
    const bool is_output = s == &spec.output;
    const size_t dots = s->find("...");
    if (dots != std::string::npos) s->replace(dots, 3, std::string(1, kEllipsisLabel));
    std::string seen;
    for (char ch : *s) {
      if (ch == kEllipsisLabel && seen.find(ch) == std::string::npos) {
        seen.push_back(ch);
        continue;
      }
      if (!std::isalpha(static_cast<unsigned char>(ch))) {
        return c.Error("equation '" + equation + "' has an unsupported character '" +
                       std::string(1, ch) + "'");
      }
      if (is_output && seen.find(ch) != std::string::npos) {
        return c.Error("equation '" + equation + "' repeats label '" + std::string(1, ch) +
                       "' in its output");
      }
      seen.push_back(ch);
    }
  }
  return spec;
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateEinsumKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(std::string equation, c.GetStringAttr("equation"));
  TERN_ASSIGN_OR_RETURN(Spec spec, ParseEquation(c, equation));
  const bool constant_b = spec.inputs.size() == 2 && c.GetBoolAttrOr("tern_constant_b", false);
  FusedBias bias = FusedBias::kNone;
  if (c.HasAttr("tern_fused_bias")) {
    TERN_ASSIGN_OR_RETURN(std::string op, c.GetStringAttr("tern_fused_bias"));
    if (op != "AddV2" && op != "BiasAdd") {
      return c.Error("tern_fused_bias " + op + " is not supported (AddV2, BiasAdd)");
    }
    if (spec.inputs.size() != 2) return c.Error("a fused bias needs an equation of two operands");
    bias = op == "AddV2" ? FusedBias::kAddV2 : FusedBias::kBiasAdd;
  }
  return std::unique_ptr<OpKernel>(new EinsumKernel(std::move(spec), constant_b, bias));
}

}  // namespace tern
