// bfloat16 and half ("narrow floats") for kernels written for float.
//
// TensorFlow's CPU kernels compute most ops on Eigen::bfloat16 and Eigen::half by widening each
// element to float, computing in float and rounding the result back to the narrow type
// (round to nearest even), once per op. NarrowFloat<Create> gives a float kernel exactly that:
// registered in registry.cc in place of Create, it builds the kernel for T = float and, per run,
// widens the narrow inputs, runs the float kernel and rounds its float outputs back. Ops whose
// TensorFlow kernel rounds between steps (Elu: exp(x) rounded, then minus one rounded) compute
// those steps themselves with RoundThrough, in their own files.
//
// Where TensorFlow accumulates in the narrow type instead (half sums, depthwise convolutions and
// pools on half, ...), the float accumulation here is the more accurate of the two and differs by
// a few ulps on long sums; tests/runtime/kernels and tests/conformance say where.
// Stateless; thread-safe.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/tensor.h"

namespace tern {

inline bool IsNarrowFloat(DataType dtype) {
  return dtype == tensorflow::DT_BFLOAT16 || dtype == tensorflow::DT_HALF;
}

// The value the narrow type N holds nearest to v (ties to even), as float: one rounding step.
template <typename N>
inline float RoundThrough(float v) {
  return static_cast<float>(N(v));
}

// Calls fn.template operator()<N>() with N = Eigen::bfloat16 or Eigen::half for `dtype`.
template <typename Fn>
decltype(auto) WithNarrowType(DataType dtype, Fn&& fn) {
  if (dtype == tensorflow::DT_BFLOAT16) return fn.template operator()<Eigen::bfloat16>();
  return fn.template operator()<Eigen::half>();
}

// A float copy of a bfloat16 or half tensor (exact: every narrow value is a float).
inline StatusOr<Tensor> WidenToFloat(const Tensor& t) {
  TERN_ASSIGN_OR_RETURN(Tensor out,
                        Tensor::Create(tensorflow::DT_FLOAT, t.shape(), Tensor::Contents::kUnset));
  WithNarrowType(t.dtype(), [&]<typename N>() {
    const N* in = t.flat<N>();
    float* o = out.flat<float>();
    for (int64_t i = 0, n = t.num_elements(); i < n; ++i) o[i] = static_cast<float>(in[i]);
  });
  return out;
}

// `t` (float) rounded to `dtype` (bfloat16 or half), to nearest even as Eigen's conversions do.
inline StatusOr<Tensor> RoundToNarrow(const Tensor& t, DataType dtype) {
  TERN_ASSIGN_OR_RETURN(Tensor out, Tensor::Create(dtype, t.shape(), Tensor::Contents::kUnset));
  WithNarrowType(dtype, [&]<typename N>() {
    const float* in = t.flat<float>();
    N* o = out.flat<N>();
    for (int64_t i = 0, n = t.num_elements(); i < n; ++i) o[i] = N(in[i]);
  });
  return out;
}

// out[i] = fn(x[i]) for a bfloat16 or half x: fn is called with N (the narrow type) and the
// element as float, and returns a float that is rounded to N once more.
template <typename Fn>
Status UnaryNarrow(KernelContext& ctx, Fn fn) {
  const Tensor& x = ctx.input(0);
  TERN_ASSIGN_OR_RETURN(Tensor * out,
                        ctx.AllocateOutput(0, x.dtype(), x.shape(), Tensor::Contents::kUnset));
  WithNarrowType(x.dtype(), [&]<typename N>() {
    const N* in = x.flat<N>();
    N* o = out->flat<N>();
    for (int64_t i = 0, n = x.num_elements(); i < n; ++i) {
      o[i] = N(fn.template operator()<N>(static_cast<float>(in[i])));
    }
  });
  return Status::Ok();
}

namespace narrow_internal {

// Runs `inner` (a float kernel) on a run whose inputs include a bfloat16 or half tensor; a run
// without one goes to `inner` as it is.
class NarrowFloatKernel final : public OpKernel {
 public:
  NarrowFloatKernel(std::unique_ptr<OpKernel> inner, int narrow_outputs)
      : inner_(std::move(inner)), narrow_outputs_(narrow_outputs) {}

  Status Compute(KernelContext& ctx) const override {
    const int n_in = ctx.num_inputs();
    DataType narrow = tensorflow::DT_INVALID;
    for (int i = 0; i < n_in && narrow == tensorflow::DT_INVALID; ++i) {
      if (IsNarrowFloat(ctx.input(i).dtype())) narrow = ctx.input(i).dtype();
    }
    if (narrow == tensorflow::DT_INVALID) return inner_->Compute(ctx);
    std::vector<Tensor> widened(n_in);
    std::vector<const Tensor*> inputs(n_in);
    for (int i = 0; i < n_in; ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() == narrow) {
        TERN_ASSIGN_OR_RETURN(widened[i], WidenToFloat(t));
        inputs[i] = &widened[i];
      } else {
        inputs[i] = &t;
      }
    }
    const int n_out = ctx.num_outputs();
    std::vector<Tensor> outputs(n_out);
    KernelContext inner(ctx.node_name(), ctx.op(), inputs.data(), n_in, outputs.data(), n_out,
                        ctx.options(), ctx.resources());
    TERN_RETURN_IF_ERROR(inner_->Compute(inner));
    for (int i = 0; i < n_out; ++i) {
      const bool typed_t = narrow_outputs_ < 0 || i < narrow_outputs_;
      if (typed_t && outputs[i].initialized() && outputs[i].dtype() == tensorflow::DT_FLOAT) {
        auto rounded = RoundToNarrow(outputs[i], narrow);
        if (!rounded.ok()) {
          return rounded.status().WithContext("node '" + ctx.node_name() + "' (op " + ctx.op() +
                                              ")");
        }
        ctx.set_output(i, std::move(rounded).value());
      } else {
        ctx.set_output(i, std::move(outputs[i]));
      }
    }
    return Status::Ok();
  }

 private:
  const std::unique_ptr<OpKernel> inner_;
  const int narrow_outputs_;
};

}  // namespace narrow_internal

// A factory for Create's op that also runs it on bfloat16 and half through its float kernel,
// built for T = float. A node whose T is another dtype gets Create's kernel alone; one without
// T (the kernel goldens strip inferred attrs) decides per run by its inputs' dtypes.
// kNarrowOutputs: how many leading outputs have type T (FusedBatchNorm's statistics are float
// whatever T is); -1 for every float output.
template <KernelFactory kCreate, int kNarrowOutputs = -1>
StatusOr<std::unique_ptr<OpKernel>> NarrowFloat(const KernelConstruction& c) {
  const tensorflow::AttrValue* t = c.FindAttr("T");
  if (t != nullptr && !IsNarrowFloat(t->type())) return kCreate(c);
  std::unique_ptr<OpKernel> inner;
  if (t != nullptr) {
    tensorflow::NodeDef as_float = c.node();
    (*as_float.mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
    KernelConstruction float_construction(as_float, c.num_inputs(), c.resources(), c.functions());
    TERN_ASSIGN_OR_RETURN(inner, kCreate(float_construction));
  } else {
    TERN_ASSIGN_OR_RETURN(inner, kCreate(c));
  }
  return std::unique_ptr<OpKernel>(
      new narrow_internal::NarrowFloatKernel(std::move(inner), kNarrowOutputs));
}

}  // namespace tern
