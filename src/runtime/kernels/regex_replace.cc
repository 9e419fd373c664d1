// RegexReplace: StaticRegexReplace with the pattern and rewrite as scalar string inputs (compiled
// per run). Every match is replaced when replace_global (the default), else the first; a
// rewrite naming a group the pattern lacks leaves the strings unchanged, as in TensorFlow.
#include "runtime/kernels/internal/regex_input.h"
#include "runtime/kernels/internal/string_edit.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class RegexReplaceKernel final : public OpKernel {
 public:
  explicit RegexReplaceKernel(bool replace_global) : replace_global_(replace_global) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_ASSIGN_OR_RETURN(std::string pattern, ScalarStringInput(ctx, 1, "Pattern"));
    TERN_ASSIGN_OR_RETURN(std::string rewrite, ScalarStringInput(ctx, 2, "Rewrite"));
    TERN_ASSIGN_OR_RETURN(std::unique_ptr<RE2> regex, CompileRegex(ctx, pattern));
    return EditEachString(ctx, [&](std::string& s) {
      if (replace_global_) {
        RE2::GlobalReplace(&s, *regex, rewrite);
      } else {
        RE2::Replace(&s, *regex, rewrite);
      }
    });
  }

 private:
  const bool replace_global_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRegexReplaceKernel(const KernelConstruction& c) {
  return std::unique_ptr<OpKernel>(new RegexReplaceKernel(c.GetBoolAttrOr("replace_global", true)));
}

}  // namespace tern
