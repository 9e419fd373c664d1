// RegexFullMatch: bool per string, whether the whole string matches `pattern` (a scalar string
// input in RE2 syntax, compiled per run since it may change between runs).
#include "runtime/kernels/internal/regex_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeRegexFullMatch(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  if (in.dtype() != tensorflow::DT_STRING) {
    return ctx.Error("input must be string, got " + DataTypeName(in.dtype()));
  }
  TERN_ASSIGN_OR_RETURN(std::string pattern, ScalarStringInput(ctx, 1, "Pattern"));
  TERN_ASSIGN_OR_RETURN(std::unique_ptr<RE2> regex, CompileRegex(ctx, pattern));
  Tensor out(tensorflow::DT_BOOL, in.shape());
  const std::string* s = in.flat<std::string>();
  bool* o = out.flat<bool>();
  for (int64_t i = 0, n = in.num_elements(); i < n; ++i) o[i] = RE2::FullMatch(s[i], *regex);
  ctx.set_output(0, std::move(out));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRegexFullMatchKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeRegexFullMatch>::Create(c);
}

}  // namespace tern
