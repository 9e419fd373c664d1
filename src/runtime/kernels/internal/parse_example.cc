#include "runtime/kernels/internal/parse_example.h"

#include <cstring>

#include "tf/example.pb.h"

namespace tern {
namespace {

bool SupportedFeatureType(DataType t) {
  return t == tensorflow::DT_FLOAT || t == tensorflow::DT_INT64 || t == tensorflow::DT_STRING;
}

// Number of values in the feature of the expected kind; -1 when the kind differs.
int FeatureSize(const tensorflow::Feature& f, DataType dtype) {
  switch (f.kind_case()) {
    case tensorflow::Feature::kFloatList:
      return dtype == tensorflow::DT_FLOAT ? f.float_list().value_size() : -1;
    case tensorflow::Feature::kInt64List:
      return dtype == tensorflow::DT_INT64 ? f.int64_list().value_size() : -1;
    case tensorflow::Feature::kBytesList:
      return dtype == tensorflow::DT_STRING ? f.bytes_list().value_size() : -1;
    case tensorflow::Feature::KIND_NOT_SET: return 0;
  }
  return -1;
}

std::string KindName(const tensorflow::Feature& f) {
  switch (f.kind_case()) {
    case tensorflow::Feature::kFloatList: return "float";
    case tensorflow::Feature::kInt64List: return "int64";
    case tensorflow::Feature::kBytesList: return "string";
    default: return "empty";
  }
}

// Copies the feature's values into out[offset..].
void CopyFeature(const tensorflow::Feature& f, Tensor* out, int64_t offset) {
  switch (f.kind_case()) {
    // An empty list's data() is null, which memcpy may not be given even for 0 bytes.
    case tensorflow::Feature::kFloatList:
      if (f.float_list().value_size() > 0) {
        std::memcpy(out->flat<float>() + offset, f.float_list().value().data(),
                    sizeof(float) * f.float_list().value_size());
      }
      break;
    case tensorflow::Feature::kInt64List:
      if (f.int64_list().value_size() > 0) {
        std::memcpy(out->flat<int64_t>() + offset, f.int64_list().value().data(),
                    sizeof(int64_t) * f.int64_list().value_size());
      }
      break;
    case tensorflow::Feature::kBytesList:
      for (int i = 0; i < f.bytes_list().value_size(); ++i) {
        out->flat<std::string>()[offset + i] = f.bytes_list().value(i);
      }
      break;
    default: break;
  }
}

using Examples = std::vector<tensorflow::Example>;

Status ParseExamples(const KernelContext& ctx, const Tensor& serialized, Examples* examples) {
  const int64_t batch = serialized.num_elements();
  examples->resize(batch);
  for (int64_t b = 0; b < batch; ++b) {
    if (!(*examples)[b].ParseFromString(serialized.flat<std::string>()[b])) {
      return ctx.Error("could not parse example input " + std::to_string(b) +
                       " as a serialized tf.Example");
    }
  }
  return Status::Ok();
}

// Fills out[offset..offset + per_example) from a dense default (one value or a full example).
void CopyDefault(const Tensor& fallback, DataType dtype, int64_t per_example, Tensor* out,
                 int64_t offset) {
  for (int64_t i = 0; i < per_example; ++i) {
    const int64_t src = fallback.num_elements() == 1 ? 0 : i;
    switch (dtype) {
      case tensorflow::DT_FLOAT:
        out->flat<float>()[offset + i] = fallback.flat<float>()[src];
        break;
      case tensorflow::DT_INT64:
        out->flat<int64_t>()[offset + i] = fallback.flat<int64_t>()[src];
        break;
      default: out->flat<std::string>()[offset + i] = fallback.flat<std::string>()[src];
    }
  }
}

// Dense output `output`: [batch] + shape, filled from the feature or the default.
Status FillDense(KernelContext& ctx, const Examples& examples, bool scalar, int output,
                 const std::string& key, DataType dtype, const std::vector<int64_t>& shape,
                 const Tensor& fallback) {
  const int64_t batch = static_cast<int64_t>(examples.size());
  std::vector<int64_t> dims;
  if (!scalar) dims.push_back(batch);
  int64_t per_example = 1;
  for (int64_t s : shape) {
    dims.push_back(s);
    per_example *= s;
  }
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(output, dtype, TensorShape(dims)));
  for (int64_t b = 0; b < batch; ++b) {
    const auto& features = examples[b].features().feature();
    auto it = features.find(key);
    const int64_t offset = b * per_example;
    if (it == features.end() || it->second.kind_case() == tensorflow::Feature::KIND_NOT_SET) {
      if (fallback.num_elements() == 0) {
        return ctx.Error("feature '" + key + "' (data type: " + DataTypeName(dtype) +
                         ") is required but could not be found in example " + std::to_string(b));
      }
      if (fallback.dtype() != dtype) {
        return ctx.Error("default for '" + key + "' has the wrong dtype");
      }
      CopyDefault(fallback, dtype, per_example, out, offset);
      continue;
    }
    const int size = FeatureSize(it->second, dtype);
    if (size < 0) {
      return ctx.Error("example " + std::to_string(b) + ", feature '" + key + "': data type " +
                       KindName(it->second) + " but expected type " + DataTypeName(dtype));
    }
    if (size != per_example) {
      return ctx.Error("example " + std::to_string(b) + ", feature '" + key + "': expected " +
                       std::to_string(per_example) + " values, got " + std::to_string(size));
    }
    CopyFeature(it->second, out, offset);
  }
  return Status::Ok();
}

// Values of a sparse feature over the batch, and the most in one example.
Status CountSparse(const KernelContext& ctx, const Examples& examples, const std::string& key,
                   DataType dtype, int64_t* nnz, int64_t* max_len) {
  for (size_t b = 0; b < examples.size(); ++b) {
    const auto& features = examples[b].features().feature();
    auto it = features.find(key);
    if (it == features.end()) continue;
    const int size = FeatureSize(it->second, dtype);
    if (size < 0) {
      return ctx.Error("example " + std::to_string(b) + ", feature '" + key + "': data type " +
                       KindName(it->second) + " but expected type " + DataTypeName(dtype));
    }
    *nnz += size;
    *max_len = std::max<int64_t>(*max_len, size);
  }
  return Status::Ok();
}

// Sparse outputs s, ns + s and 2 * ns + s: COO indices [nnz, 2] (example, position), values
// [nnz], shape [2] (without the example dim for a scalar input).
Status FillSparse(KernelContext& ctx, const Examples& examples, bool scalar, size_t s, size_t ns,
                  const std::string& key, DataType dtype) {
  const int64_t batch = static_cast<int64_t>(examples.size());
  int64_t nnz = 0;
  int64_t max_len = 0;
  TERN_RETURN_IF_ERROR(CountSparse(ctx, examples, key, dtype, &nnz, &max_len));
  const int rank = scalar ? 1 : 2;
  TERN_ASSIGN_OR_RETURN(
      Tensor * indices,
      ctx.AllocateOutput(static_cast<int>(s), tensorflow::DT_INT64, TensorShape{nnz, rank}));
  TERN_ASSIGN_OR_RETURN(Tensor * values,
                        ctx.AllocateOutput(static_cast<int>(ns + s), dtype, TensorShape{nnz}));
  TERN_ASSIGN_OR_RETURN(
      Tensor * shape,
      ctx.AllocateOutput(static_cast<int>(2 * ns + s), tensorflow::DT_INT64, TensorShape{rank}));
  int64_t k = 0;
  for (int64_t b = 0; b < batch; ++b) {
    const auto& features = examples[b].features().feature();
    auto it = features.find(key);
    if (it == features.end()) continue;
    const int size = FeatureSize(it->second, dtype);
    CopyFeature(it->second, values, k);
    for (int i = 0; i < size; ++i, ++k) {
      if (scalar) {
        indices->flat<int64_t>()[k] = i;
      } else {
        indices->flat<int64_t>()[2 * k] = b;
        indices->flat<int64_t>()[2 * k + 1] = i;
      }
    }
  }
  if (scalar) {
    shape->flat<int64_t>()[0] = max_len;
  } else {
    shape->flat<int64_t>()[0] = batch;
    shape->flat<int64_t>()[1] = max_len;
  }
  return Status::Ok();
}

}  // namespace

Status ValidateParseExampleSpec(const KernelConstruction& c, const ParseExampleSpec& spec) {
  for (DataType t : spec.sparse_types) {
    if (!SupportedFeatureType(t)) return c.Error("unsupported sparse type " + DataTypeName(t));
  }
  if (spec.dense_types.size() != spec.dense_shapes.size()) {
    return c.Error("Tdense and dense_shapes differ in length");
  }
  for (size_t i = 0; i < spec.dense_types.size(); ++i) {
    if (!SupportedFeatureType(spec.dense_types[i])) {
      return c.Error("unsupported dense type " + DataTypeName(spec.dense_types[i]));
    }
    for (int64_t d : spec.dense_shapes[i]) {
      if (d < 0) return c.Error("variable-length dense features are not supported yet");
    }
  }
  return Status::Ok();
}

Status ParseSerializedExamples(KernelContext& ctx, const ParseExampleSpec& spec,
                               const Tensor& serialized,
                               const std::vector<std::string>& sparse_keys,
                               const std::vector<std::string>& dense_keys,
                               const std::vector<const Tensor*>& dense_defaults) {
  if (serialized.dtype() != tensorflow::DT_STRING || serialized.rank() > 1) {
    return ctx.Error("serialized must be a string scalar or vector, got " +
                     serialized.DebugString());
  }
  const bool scalar = serialized.rank() == 0;
  const size_t ns = sparse_keys.size();
  const size_t nd = dense_keys.size();
  if (ns != spec.sparse_types.size() || nd != spec.dense_types.size() ||
      dense_defaults.size() != nd) {
    return ctx.Error("number of keys does not match the op's attributes");
  }
  Examples examples;
  TERN_RETURN_IF_ERROR(ParseExamples(ctx, serialized, &examples));
  for (size_t d = 0; d < nd; ++d) {
    TERN_RETURN_IF_ERROR(FillDense(ctx, examples, scalar, static_cast<int>(3 * ns + d),
                                   dense_keys[d], spec.dense_types[d], spec.dense_shapes[d],
                                   *dense_defaults[d]));
  }
  for (size_t s = 0; s < ns; ++s) {
    TERN_RETURN_IF_ERROR(
        FillSparse(ctx, examples, scalar, s, ns, sparse_keys[s], spec.sparse_types[s]));
  }
  return Status::Ok();
}

}  // namespace tern
