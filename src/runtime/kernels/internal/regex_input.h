// Shared by RegexFullMatch and RegexReplace, whose pattern (and rewrite) are input tensors, not
// attrs: reads a scalar string input and compiles a pattern per run, failing like TensorFlow does.
// Stateless; thread-safe.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>

#include "runtime/kernel.h"

namespace tern {

// The string in scalar input `index`, or an error "<what> must be scalar".
inline StatusOr<std::string> ScalarStringInput(const KernelContext& ctx, int index,
                                               const std::string& what) {
  const Tensor& t = ctx.input(index);
  if (t.dtype() != tensorflow::DT_STRING) {
    return ctx.Error(what + " must be string, got " + DataTypeName(t.dtype()));
  }
  if (t.rank() != 0) {
    return ctx.Error(what + " must be scalar, but received " + t.shape().DebugString());
  }
  return t.flat<std::string>()[0];
}

inline StatusOr<std::unique_ptr<RE2>> CompileRegex(const KernelContext& ctx,
                                                   const std::string& pattern) {
  auto regex = std::make_unique<RE2>(pattern, RE2::Quiet);
  if (!regex->ok()) return ctx.Error("Invalid pattern: " + pattern + ", error: " + regex->error());
  return regex;
}

}  // namespace tern
