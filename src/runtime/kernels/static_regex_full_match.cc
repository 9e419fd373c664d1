// StaticRegexFullMatch: RegexFullMatch with the pattern as an attr (what
// tf.strings.regex_full_match makes of a Python string), compiled once when the kernel is built;
// a bad pattern fails the model's load.
#include <re2/re2.h>

#include <memory>
#include <string>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class StaticRegexFullMatchKernel final : public OpKernel {
 public:
  explicit StaticRegexFullMatchKernel(std::unique_ptr<RE2> regex) : regex_(std::move(regex)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    if (in.dtype() != tensorflow::DT_STRING) {
      return ctx.Error("input must be string, got " + DataTypeName(in.dtype()));
    }
    Tensor out(tensorflow::DT_BOOL, in.shape());
    const std::string* s = in.flat<std::string>();
    bool* o = out.flat<bool>();
    for (int64_t i = 0, n = in.num_elements(); i < n; ++i) o[i] = RE2::FullMatch(s[i], *regex_);
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  // RE2 matching is const and thread-safe, so one compiled pattern serves concurrent runs.
  const std::unique_ptr<RE2> regex_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStaticRegexFullMatchKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(std::string pattern, c.GetStringAttr("pattern"));
  auto regex = std::make_unique<RE2>(pattern, RE2::Quiet);
  if (!regex->ok()) {
    return c.Error("Invalid pattern: " + pattern + ", error: " + regex->error());
  }
  return std::unique_ptr<OpKernel>(new StaticRegexFullMatchKernel(std::move(regex)));
}

}  // namespace tern
