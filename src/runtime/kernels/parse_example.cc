// ParseExample (v1): keys arrive as lists of scalar string inputs.
// Inputs: serialized, names, sparse_keys[Nsparse], dense_keys[Ndense], dense_defaults[Ndense].
#include "runtime/kernels/internal/parse_example.h"

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class ParseExampleKernel final : public OpKernel {
 public:
  explicit ParseExampleKernel(ParseExampleSpec spec) : spec_(std::move(spec)) {}

  Status Compute(KernelContext& ctx) const override {
    const size_t ns = spec_.sparse_types.size();
    const size_t nd = spec_.dense_types.size();
    if (ctx.num_inputs() != static_cast<int>(2 + ns + 2 * nd)) {
      return ctx.Error("unexpected number of inputs");
    }
    std::vector<std::string> sparse_keys, dense_keys;
    std::vector<const Tensor*> defaults;
    for (size_t i = 0; i < ns; ++i) sparse_keys.push_back(ctx.input(2 + i).flat<std::string>()[0]);
    for (size_t i = 0; i < nd; ++i) {
      dense_keys.push_back(ctx.input(2 + ns + i).flat<std::string>()[0]);
      defaults.push_back(&ctx.input(2 + ns + nd + i));
    }
    return ParseSerializedExamples(ctx, spec_, ctx.input(0), sparse_keys, dense_keys, defaults);
  }

 private:
  const ParseExampleSpec spec_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateParseExampleKernel(const KernelConstruction& c) {
  ParseExampleSpec spec;
  TERN_ASSIGN_OR_RETURN(spec.sparse_types, c.GetTypeListAttr("sparse_types"));
  TERN_ASSIGN_OR_RETURN(spec.dense_types, c.GetTypeListAttr("Tdense"));
  TERN_ASSIGN_OR_RETURN(spec.dense_shapes, c.GetShapeListAttr("dense_shapes"));
  TERN_RETURN_IF_ERROR(ValidateParseExampleSpec(c, spec));
  return std::unique_ptr<OpKernel>(new ParseExampleKernel(std::move(spec)));
}

}  // namespace tern
