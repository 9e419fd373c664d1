// StringStrip: each string without its leading and trailing ASCII whitespace (space, \t, \n, \v,
// \f, \r); other bytes, including non-ASCII spaces, stay.
#include "runtime/kernels/internal/string_edit.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

Status ComputeStringStrip(KernelContext& ctx) {
  return EditEachString(ctx, [](std::string& s) {
    size_t end = s.size();
    while (end > 0 && IsAsciiSpace(s[end - 1])) --end;
    size_t begin = 0;
    while (begin < end && IsAsciiSpace(s[begin])) ++begin;
    s = s.substr(begin, end - begin);
  });
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStringStripKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeStringStrip>::Create(c);
}

}  // namespace tern
