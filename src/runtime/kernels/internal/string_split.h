// Shared by StringSplit and StringSplitV2: turns per-string token lists into the SparseTensor
// outputs (indices [n,2] int64, values [n] string, shape [2] int64 = [batch, max tokens]).
#pragma once

#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace tern {

inline Status EmitSplitTokens(KernelContext& ctx,
                              const std::vector<std::vector<std::string>>& rows) {
  int64_t total = 0, widest = 0;
  for (const auto& r : rows) {
    total += static_cast<int64_t>(r.size());
    widest = std::max<int64_t>(widest, static_cast<int64_t>(r.size()));
  }
  Tensor indices(tensorflow::DT_INT64, TensorShape{total, 2});
  Tensor values(tensorflow::DT_STRING, TensorShape{total});
  int64_t k = 0;
  for (size_t b = 0; b < rows.size(); ++b) {
    for (size_t t = 0; t < rows[b].size(); ++t, ++k) {
      indices.flat<int64_t>()[2 * k] = static_cast<int64_t>(b);
      indices.flat<int64_t>()[2 * k + 1] = static_cast<int64_t>(t);
      values.flat<std::string>()[k] = rows[b][t];
    }
  }
  ctx.set_output(0, std::move(indices));
  ctx.set_output(1, std::move(values));
  ctx.set_output(
      2, Tensor::FromVector<int64_t>({static_cast<int64_t>(rows.size()), widest}, TensorShape{2}));
  return Status::Ok();
}

inline Status CheckSplitInputs(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const Tensor& sep = ctx.input(1);
  if (in.dtype() != tensorflow::DT_STRING || in.rank() != 1) {
    return ctx.Error("input must be a 1-D string tensor, got " + in.DebugString());
  }
  if (sep.dtype() != tensorflow::DT_STRING || sep.rank() != 0) {
    return ctx.Error("delimiter must be a string scalar, got " + sep.DebugString());
  }
  return Status::Ok();
}

}  // namespace tern
