// StringSplit: splits each string of a 1-D input on any of the bytes in `delimiter` (every byte
// when the delimiter is empty); skip_empty (default true) drops empty tokens. The result is a
// SparseTensor (see internal/string_split.h).
#include "runtime/kernels/internal/string_split.h"

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class StringSplitKernel final : public OpKernel {
 public:
  explicit StringSplitKernel(bool skip_empty) : skip_empty_(skip_empty) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_RETURN_IF_ERROR(CheckSplitInputs(ctx));
    const Tensor& in = ctx.input(0);
    const std::string& delimiter = ctx.input(1).flat<std::string>()[0];
    std::vector<std::vector<std::string>> rows(in.num_elements());
    for (int64_t b = 0; b < in.num_elements(); ++b) {
      const std::string& s = in.flat<std::string>()[b];
      auto& tokens = rows[b];
      if (s.empty()) continue;  // no tokens, even with skip_empty false (as TensorFlow)
      if (delimiter.empty()) {
        for (char ch : s) tokens.emplace_back(1, ch);
        continue;
      }
      size_t start = 0;
      while (true) {
        const size_t at = s.find_first_of(delimiter, start);
        std::string token =
            s.substr(start, at == std::string::npos ? std::string::npos : at - start);
        if (!(skip_empty_ && token.empty())) tokens.push_back(std::move(token));
        if (at == std::string::npos) break;
        start = at + 1;
      }
    }
    return EmitSplitTokens(ctx, rows);
  }

 private:
  const bool skip_empty_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStringSplitKernel(const KernelConstruction& c) {
  return std::unique_ptr<OpKernel>(new StringSplitKernel(c.GetBoolAttrOr("skip_empty", true)));
}

}  // namespace tern
