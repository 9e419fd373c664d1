// StringSplitV2: Python's str.split for each string of a 1-D input. With an empty `sep`, splits
// on runs of ASCII whitespace, dropping empty tokens; otherwise splits on every
// occurrence of the whole `sep` string, keeping empty tokens. maxsplit >= 0 limits the number
// of splits (the rest stays in the last token). The result is a SparseTensor.
#include "runtime/kernels/internal/string_split.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

class StringSplitV2Kernel final : public OpKernel {
 public:
  explicit StringSplitV2Kernel(int64_t maxsplit) : maxsplit_(maxsplit) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_RETURN_IF_ERROR(CheckSplitInputs(ctx));
    const Tensor& in = ctx.input(0);
    const std::string& sep = ctx.input(1).flat<std::string>()[0];
    std::vector<std::vector<std::string>> rows(in.num_elements());
    for (int64_t b = 0; b < in.num_elements(); ++b) {
      const std::string& s = in.flat<std::string>()[b];
      auto& tokens = rows[b];
      int64_t splits = 0;
      if (sep.empty()) {
        size_t i = 0;
        while (true) {
          while (i < s.size() && IsSpace(s[i])) ++i;
          if (i >= s.size()) break;
          if (maxsplit_ >= 0 && splits == maxsplit_) {  // the rest, trailing space included
            tokens.push_back(s.substr(i));
            break;
          }
          size_t j = i;
          while (j < s.size() && !IsSpace(s[j])) ++j;
          tokens.push_back(s.substr(i, j - i));
          ++splits;
          i = j;
        }
        continue;
      }
      size_t start = 0;
      while (true) {
        const size_t at =
            (maxsplit_ >= 0 && splits == maxsplit_) ? std::string::npos : s.find(sep, start);
        tokens.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
        if (at == std::string::npos) break;
        ++splits;
        start = at + sep.size();
      }
    }
    return EmitSplitTokens(ctx, rows);
  }

 private:
  const int64_t maxsplit_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStringSplitV2Kernel(const KernelConstruction& c) {
  int64_t maxsplit = -1;
  if (c.HasAttr("maxsplit")) {
    TERN_ASSIGN_OR_RETURN(maxsplit, c.GetIntAttr("maxsplit"));
  }
  return std::unique_ptr<OpKernel>(new StringSplitV2Kernel(maxsplit));
}

}  // namespace tern
