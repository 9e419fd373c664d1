// _FusedMatMul: MatMul (2-D a and b, attrs transpose_a and transpose_b) followed by the ops named
// in attr `fused_ops`, in this order, each optional (TensorFlow's grappler requires the BiasAdd;
// Tern's load-time pass, runtime/optimize/fuse_mat_mul.h, also writes a bare product):
//   BiasAdd    args: bias [n]
//   Relu | Relu6 | Elu | LeakyRelu (attr leakyrelu_alpha) | Sigmoid | _MklSwish (attr
//   swish_beta, Tern's) | GeluApproximate | GeluExact (tf.nn.gelu's forms)
// With attr `tern_constant_b` (set by that pass when b is a Const or a variable's value), a
// product runs on GemmPacked with b packed once (internal/gemm_packed.h), except: where oneDNN's
// matmul primitive packs b (OneDnnMatMulPacksWeights: AVX-512 CPUs), a product of more than
// kPackedOverPrimitiveMaxRows rows runs on it with b reordered once (internal/onednn_matmul.h),
// and one row of a small b on Gemm's GEMV. Else Gemm, then the epilogue in one pass. float only.
// With attr `tern_reshape` (the same pass, for a Reshape that sat between the MatMul and its
// BiasAdd, as tf.tensordot and Keras's Dense over 3-D inputs write it), a last input holds the
// shape the product is reshaped to (as Reshape does) before the bias: where that keeps the last
// dim n, the epilogue runs as without it; else the product is reshaped first, then the bias is
// added along the new last dim.
#include <functional>
#include <string>
#include <vector>

#include "runtime/kernels/internal/batch_mat_mul.h"
#include "runtime/kernels/internal/fused_activation.h"
#include "runtime/kernels/internal/gemm.h"
#include "runtime/kernels/internal/gemm_packed.h"
#include "runtime/kernels/internal/onednn_common.h"
#include "runtime/kernels/internal/onednn_conv.h"
#include "runtime/kernels/internal/onednn_matmul.h"
#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/internal/reshaped_shape.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

bool IsGelu(FusedActivation activation) {
  return activation == FusedActivation::kGeluApproximate ||
         activation == FusedActivation::kGeluExact;
}

StatusOr<MatMulEpilogue> ParseFusedOps(const KernelConstruction& c, int extra_inputs) {
  TERN_ASSIGN_OR_RETURN(std::vector<std::string> names, c.GetStringListAttr("fused_ops"));
  MatMulEpilogue epilogue;
  int stage = 0;  // 1 bias, 2 activation: each at most once, in order
  float swish_beta = 1.f, leaky_alpha = 0.2f;
  for (const std::string& name : names) {
    int next;
    if (name == "BiasAdd") {
      next = 1;
      epilogue.bias = true;
    } else if (auto activation = FusedActivationNamed(name, /*gelu=*/true)) {
      next = 2;
      epilogue.activation = *activation;
    } else {
      return c.Error("fused op " + name +
                     " is not supported (BiasAdd, Relu, Relu6, Elu, LeakyRelu, Sigmoid, "
                     "_MklSwish, GeluApproximate, GeluExact)");
    }
    if (next <= stage) {
      return c.Error("fused_ops must be in the order BiasAdd, activation, each at most once");
    }
    stage = next;
  }
  if (c.HasAttr("swish_beta")) {
    TERN_ASSIGN_OR_RETURN(swish_beta, c.GetFloatAttr("swish_beta"));
  }
  if (c.HasAttr("leakyrelu_alpha")) {
    TERN_ASSIGN_OR_RETURN(leaky_alpha, c.GetFloatAttr("leakyrelu_alpha"));
  }
  epilogue.alpha = epilogue.activation == FusedActivation::kSwish ? swish_beta : leaky_alpha;
  const int num_args = epilogue.bias ? 1 : 0;
  if (c.num_inputs() != 2 + num_args + extra_inputs) {
    return c.Error("fused_ops need " + std::to_string(num_args) + " extra inputs, got " +
                   std::to_string(c.num_inputs() - 2 - extra_inputs));
  }
  return epilogue;
}

class FusedMatMulKernel final : public OpKernel {
 public:
  FusedMatMulKernel(bool transpose_a, bool transpose_b, bool constant_b, bool reshape,
                    MatMulEpilogue epilogue)
      : transpose_a_(transpose_a),
        transpose_b_(transpose_b),
        reshape_(reshape),
        epilogue_(epilogue),
        onednn_(constant_b && !transpose_a && OneDnnEnabled() && OneDnnMatMulPacksWeights()
                    ? std::make_unique<OneDnnMatMul>(transpose_b, epilogue)
                    : nullptr),
        packed_(constant_b && !transpose_a ? std::make_unique<PackedWeights>() : nullptr) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != tensorflow::DT_FLOAT || b.dtype() != tensorflow::DT_FLOAT) {
      return ctx.Error("a and b must be float, got " + DataTypeName(a.dtype()) + " and " +
                       DataTypeName(b.dtype()));
    }
    if (a.rank() != 2 || b.rank() != 2) {
      return ctx.Error("a and b must be 2-D, got shapes " + a.shape().DebugString() + " and " +
                       b.shape().DebugString());
    }
    TERN_ASSIGN_OR_RETURN(const MatMulDims dims,
                          MatrixProductDims(ctx, {&a, &b, transpose_a_, transpose_b_}));
    const int64_t m = dims.m, k = dims.k, n = dims.n;
    TensorShape out_shape{m, n};
    if (reshape_) {
      StatusOr<TensorShape> reshaped = ReshapedShape(out_shape, ctx.input(ctx.num_inputs() - 1));
      if (!reshaped.ok()) return ctx.Error(reshaped.status().message());
      out_shape = std::move(*reshaped);
    }
    // The bias runs along the output's last dim; only when that is n can it join the product.
    int64_t bias_cols = n;
    const float* bias = nullptr;
    if (epilogue_.bias) {
      if (out_shape.rank() < 2) {
        return ctx.Error("the reshaped product must be at least 2-D for the bias, got shape " +
                         out_shape.DebugString());
      }
      bias_cols = out_shape.dim(out_shape.rank() - 1);
      const Tensor& t = ctx.input(2);
      if (t.dtype() != tensorflow::DT_FLOAT || t.rank() != 1 || t.dim(0) != bias_cols) {
        return ctx.Error("bias must be float [" + std::to_string(bias_cols) + "], got " +
                         DataTypeName(t.dtype()) + t.shape().DebugString());
      }
      bias = t.flat<float>();
    }
    TERN_ASSIGN_OR_RETURN(
        Tensor * out,
        ctx.AllocateOutput(0, tensorflow::DT_FLOAT, std::move(out_shape),
                           k > 0 ? Tensor::Contents::kUnset : Tensor::Contents::kZeros));
    if (m == 0 || n == 0) return Status::Ok();
    float* c = out->flat<float>();
    const GemmArgs args{.a = a.flat<float>(),
                        .b = b.flat<float>(),
                        .c = c,
                        .m = m,
                        .k = k,
                        .n = n,
                        .transpose_a = transpose_a_,
                        .transpose_b = transpose_b_};
    if (bias_cols != n) {
      // A reshape that moved the last dim: the product, then the epilogue over the new rows.
      if (k > 0) Gemm(args);
      EpilogueOnIdleCores(bias, epilogue_.activation, m * n / bias_cols, bias_cols, c);
      return Status::Ok();
    }
    // From two rows a packed b wins: over dnnl_sgemm, which repacks b at every call, and over
    // Gemm's own few-row kernel, which walks a row-major b's column panels with a stride the
    // prefetchers miss (the MLP at batch 8: 0.66-0.72x per run). One row takes it for a large,
    // wide b only (OneRowDenseRunsOnPrimitive); any other runs on Gemm's GEMV. Where the
    // primitive packs b (onednn_), it runs the products of more rows than
    // kPackedOverPrimitiveMaxRows; without it, GemmPacked runs every row count.
    const bool packs_b = m > 1 || OneRowDenseRunsOnPrimitive(k, n) || onednn_ == nullptr;
    const bool on_primitive = onednn_ != nullptr && m > kPackedOverPrimitiveMaxRows;
    if (on_primitive && k > 0 && onednn_->Run(m, args.a, b, bias, c)) {
      ApplyGelu(c, m * n);
      return Status::Ok();
    }
    const bool has_epilogue = bias != nullptr || epilogue_.activation != FusedActivation::kNone;
    if (k > 0) {
      std::shared_ptr<const PackedMatrix> packed;
      if (packed_ != nullptr && packs_b && (m < kGemmPackedMaxRows || has_epilogue)) {
        packed = packed_->For(b, transpose_b_);
      }
      if (packed != nullptr) {
        // The bias, and a ReLU or ReLU6, are applied as the tiles are stored; any other
        // activation in a pass after.
        const std::optional<StoreActivation> stored = AsStoreActivation(epilogue_.activation);
        const PackedEpilogue in_store{.bias = bias,
                                      .activation = stored.value_or(StoreActivation::kNone)};
        const FusedActivation after = stored ? FusedActivation::kNone : epilogue_.activation;
        if (m >= kGemmPackedMaxRows) {
          // As fast as Gemm from here (BERT's 1024-row products), and each chunk's activation
          // runs while its rows are in cache rather than in a pass over all of c.
          std::function<void(int64_t, int64_t)> activate_rows;
          if (after != FusedActivation::kNone) {
            activate_rows = [&](int64_t first, int64_t rows) {
              Epilogue(nullptr, after, rows, n, c + first * n);
            };
          }
          GemmPackedInChunks(
              m, EpilogueChunkRows(n), *packed, c,
              [&](int64_t first, int64_t) { return args.a + first * k; }, activate_rows, in_store);
          return Status::Ok();
        }
        GemmPacked(args.a, m, *packed, c, in_store);
        EpilogueOnIdleCores(nullptr, after, m, n, c);
        return Status::Ok();
      }
      Gemm(args);
    }
    EpilogueOnIdleCores(bias, epilogue_.activation, m, n, c);
    return Status::Ok();
  }

 private:
  // Bias and activation over the product.
  void Epilogue(const float* bias, FusedActivation activation, int64_t m, int64_t n,
                float* c) const {
    if (bias != nullptr) AddBiasToRows(bias, m, n, c);
    ApplyFusedActivationInPlace(activation, epilogue_.alpha, c, m * n);
  }

  // The same over all of c, its rows split among idle cores where that pays (as the BiasAdd and
  // activation kernels it replaces would split them).
  void EpilogueOnIdleCores(const float* bias, FusedActivation activation, int64_t m, int64_t n,
                           float* c) const {
    if (bias == nullptr && activation == FusedActivation::kNone) return;
    ForEachRowRange(m, n * static_cast<int64_t>(sizeof(float)), [&](int64_t begin, int64_t end) {
      Epilogue(bias, activation, end - begin, n, c + begin * n);
    });
  }

  // After the primitive, which ran the bias and every other activation as post-ops.
  void ApplyGelu(float* c, int64_t size) const {
    if (IsGelu(epilogue_.activation)) {
      ApplyFusedActivationInPlace(epilogue_.activation, epilogue_.alpha, c, size);
    }
  }

  const bool transpose_a_;
  const bool transpose_b_;
  const bool reshape_;
  const MatMulEpilogue epilogue_;
  const std::unique_ptr<OneDnnMatMul> onednn_;   // null: Gemm only
  const std::unique_ptr<PackedWeights> packed_;  // null: b is not constant
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFusedMatMulKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType dtype, c.GetTypeAttr("T"));
  if (dtype != tensorflow::DT_FLOAT) {
    return c.Error("dtype " + DataTypeName(dtype) + " is not supported (float)");
  }
  const bool reshape = c.GetBoolAttrOr("tern_reshape", false);
  TERN_ASSIGN_OR_RETURN(MatMulEpilogue epilogue, ParseFusedOps(c, reshape ? 1 : 0));
  return std::unique_ptr<OpKernel>(std::make_unique<FusedMatMulKernel>(
      c.GetBoolAttrOr("transpose_a", false), c.GetBoolAttrOr("transpose_b", false),
      c.GetBoolAttrOr("tern_constant_b", false), reshape, epilogue));
}

}  // namespace tern
