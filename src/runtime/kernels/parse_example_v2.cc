// ParseExampleV2: keys arrive as 1-D string tensors.
// Inputs: serialized, names, sparse_keys, dense_keys, ragged_keys, dense_defaults[Tdense].
#include "runtime/kernels/internal/parse_example.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

std::vector<std::string> Keys(const Tensor& t) {
  return std::vector<std::string>(t.flat<std::string>(), t.flat<std::string>() + t.num_elements());
}

class ParseExampleV2Kernel final : public OpKernel {
 public:
  explicit ParseExampleV2Kernel(ParseExampleSpec spec) : spec_(std::move(spec)) {}

  Status Compute(KernelContext& ctx) const override {
    const size_t nd = spec_.dense_types.size();
    if (ctx.num_inputs() != static_cast<int>(5 + nd))
      return ctx.Error("unexpected number of inputs");
    for (int i = 2; i <= 4; ++i) {
      if (ctx.input(i).dtype() != tensorflow::DT_STRING) return ctx.Error("keys must be strings");
    }
    if (ctx.input(4).num_elements() != 0) return ctx.Error("ragged features are not supported yet");
    std::vector<const Tensor*> defaults;
    for (size_t i = 0; i < nd; ++i) defaults.push_back(&ctx.input(5 + i));
    return ParseSerializedExamples(ctx, spec_, ctx.input(0), Keys(ctx.input(2)), Keys(ctx.input(3)),
                                   defaults);
  }

 private:
  const ParseExampleSpec spec_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateParseExampleV2Kernel(const KernelConstruction& c) {
  ParseExampleSpec spec;
  TERN_ASSIGN_OR_RETURN(spec.sparse_types, c.GetTypeListAttr("sparse_types"));
  TERN_ASSIGN_OR_RETURN(spec.dense_types, c.GetTypeListAttr("Tdense"));
  TERN_ASSIGN_OR_RETURN(spec.dense_shapes, c.GetShapeListAttr("dense_shapes"));
  TERN_ASSIGN_OR_RETURN(auto ragged, c.GetTypeListAttr("ragged_value_types"));
  if (!ragged.empty()) return c.Error("ragged features are not supported yet");
  TERN_RETURN_IF_ERROR(ValidateParseExampleSpec(c, spec));
  return std::unique_ptr<OpKernel>(new ParseExampleV2Kernel(std::move(spec)));
}

}  // namespace tern
