// StaticRegexReplace: replaces matches of the `pattern` attr (RE2 syntax) in every string with
// `rewrite` (\1..\9 name groups); all matches when replace_global (the default), else the first.
// The pattern is compiled once when the kernel is built; a bad pattern fails the model's load.
#include <re2/re2.h>

#include <memory>
#include <string>

#include "runtime/kernels/internal/string_edit.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class StaticRegexReplaceKernel final : public OpKernel {
 public:
  StaticRegexReplaceKernel(std::unique_ptr<RE2> regex, std::string rewrite, bool replace_global)
      : regex_(std::move(regex)), rewrite_(std::move(rewrite)), replace_global_(replace_global) {}

  Status Compute(KernelContext& ctx) const override {
    return EditEachString(ctx, [this](std::string& s) {
      if (replace_global_) {
        RE2::GlobalReplace(&s, *regex_, rewrite_);
      } else {
        RE2::Replace(&s, *regex_, rewrite_);
      }
    });
  }

 private:
  // RE2 matching is const and thread-safe, so one compiled pattern serves concurrent runs.
  const std::unique_ptr<RE2> regex_;
  const std::string rewrite_;
  const bool replace_global_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStaticRegexReplaceKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(std::string pattern, c.GetStringAttr("pattern"));
  TERN_ASSIGN_OR_RETURN(std::string rewrite, c.GetStringAttr("rewrite"));
  auto regex = std::make_unique<RE2>(pattern, RE2::Quiet);
  if (!regex->ok()) {
    return c.Error("Invalid pattern: " + pattern + ", error: " + regex->error());
  }
  // A rewrite naming a group the pattern lacks is not an error in TensorFlow: the strings stay
  // unchanged (RE2 refuses that rewrite), so it must not fail the load here either.
  return std::unique_ptr<OpKernel>(new StaticRegexReplaceKernel(
      std::move(regex), std::move(rewrite), c.GetBoolAttrOr("replace_global", true)));
}

}  // namespace tern
