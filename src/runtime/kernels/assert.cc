// Assert: passes when `condition` (a bool scalar) is true; otherwise fails the run with
// INVALID_ARGUMENT "assertion failed: [d0] [d1] ...", each data tensor printed as at most
// `summarize` (default 3) space-separated elements followed by "..." when there are more.
#include <sstream>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

std::string Summarize(const Tensor& t, int64_t limit) {
  std::ostringstream out;
  const int64_t n = t.num_elements();
  const int64_t shown = limit < 0 ? n : std::min(n, limit);
  for (int64_t i = 0; i < shown; ++i) {
    if (i > 0) out << ' ';
    switch (t.dtype()) {
      case tensorflow::DT_STRING: out << t.flat<std::string>()[i]; break;
      case tensorflow::DT_BOOL: out << (t.flat<bool>()[i] ? "1" : "0"); break;
      case tensorflow::DT_FLOAT: out << t.flat<float>()[i]; break;
      case tensorflow::DT_DOUBLE: out << t.flat<double>()[i]; break;
      case tensorflow::DT_INT32: out << t.flat<int32_t>()[i]; break;
      case tensorflow::DT_INT64: out << t.flat<int64_t>()[i]; break;
      default: out << "<" << DataTypeName(t.dtype()) << ">"; break;
    }
  }
  if (shown < n) out << "...";
  return out.str();
}

class AssertKernel final : public OpKernel {
 public:
  explicit AssertKernel(int64_t summarize) : summarize_(summarize) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& condition = ctx.input(0);
    if (condition.dtype() != tensorflow::DT_BOOL || condition.num_elements() != 1) {
      return ctx.Error("condition must be a bool scalar, got " + condition.DebugString());
    }
    if (condition.flat<bool>()[0]) return Status::Ok();
    std::string message = "assertion failed:";
    for (int i = 1; i < ctx.num_inputs(); ++i) {
      message += " [" + Summarize(ctx.input(i), summarize_) + "]";
    }
    return ctx.Error(message);
  }

 private:
  const int64_t summarize_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAssertKernel(const KernelConstruction& c) {
  int64_t summarize = 3;  // OpDef default
  if (c.HasAttr("summarize")) {
    TERN_ASSIGN_OR_RETURN(summarize, c.GetIntAttr("summarize"));
  }
  return std::unique_ptr<OpKernel>(new AssertKernel(summarize));
}

}  // namespace tern
