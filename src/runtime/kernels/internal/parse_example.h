// The part of ParseExample and ParseExampleV2 they share: turning serialized tf.Example
// protos into sparse (indices, values, shape) and dense outputs. Stateless; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace tern {

struct ParseExampleSpec {
  std::vector<DataType> sparse_types;
  std::vector<DataType> dense_types;
  std::vector<std::vector<int64_t>> dense_shapes;  // per dense key, without the batch dim
};

// Keys are read per run because both ops take them as (normally constant) inputs.
// Outputs are written as: sparse_indices[Ns], sparse_values[Ns], sparse_shapes[Ns],
// dense_values[Nd], starting at output 0.
Status ParseSerializedExamples(KernelContext& ctx, const ParseExampleSpec& spec,
                               const Tensor& serialized,
                               const std::vector<std::string>& sparse_keys,
                               const std::vector<std::string>& dense_keys,
                               const std::vector<const Tensor*>& dense_defaults);

// Validates attrs shared by both ops (supported dtypes, fixed dense shapes).
Status ValidateParseExampleSpec(const KernelConstruction& c, const ParseExampleSpec& spec);

}  // namespace tern
