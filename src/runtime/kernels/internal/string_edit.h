// Shared by the kernels that rewrite every string of a string tensor (StringLower, StringUpper,
// StaticRegexReplace): output 0 has input 0's shape, each element a copy edited in place.
// Stateless; thread-safe.
#pragma once

#include <string>
#include <utility>

#include "runtime/kernel.h"

namespace tern {

// `edit(std::string&)` changes one element's copy. An error unless input 0 is a string tensor.
template <typename Edit>
Status EditEachString(KernelContext& ctx, const Edit& edit) {
  const Tensor& in = ctx.input(0);
  if (in.dtype() != tensorflow::DT_STRING) {
    return ctx.Error("input must be string, got " + DataTypeName(in.dtype()));
  }
  Tensor out(tensorflow::DT_STRING, in.shape());
  const std::string* s = in.flat<std::string>();
  std::string* o = out.flat<std::string>();
  for (int64_t i = 0, n = in.num_elements(); i < n; ++i) {
    o[i] = s[i];
    edit(o[i]);
  }
  ctx.set_output(0, std::move(out));
  return Status::Ok();
}

}  // namespace tern
