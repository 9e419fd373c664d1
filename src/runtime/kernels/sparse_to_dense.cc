// SparseToDense: a dense tensor of output_shape filled with default_value, with
// sparse_values (a scalar, or one per index) written at sparse_indices (a scalar, a vector of
// 1-D indices, or a [n, rank] matrix; int32 or int64). With validate_indices (the default) the
// indices must be in bounds, sorted and unique; without it they must still be in bounds.
// Any value dtype.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

std::string IndexString(const std::vector<int64_t>& idx, int64_t i, int64_t num_dims) {
  std::string s = "[";
  for (int64_t d = 0; d < num_dims; ++d) {
    if (d) s += ",";
    s += std::to_string(idx[i * num_dims + d]);
  }
  return s + "]";
}

// Checks the inputs' shapes and dtypes against each other.
Status CheckInputs(const KernelContext& ctx, int64_t num_elems, int64_t num_dims) {
  const Tensor& output_shape = ctx.input(1);
  const Tensor& values = ctx.input(2);
  const Tensor& default_value = ctx.input(3);
  if (output_shape.num_elements() != num_dims) {
    return ctx.Error("output_shape has " + std::to_string(output_shape.num_elements()) +
                     " elements but sparse indices have " + std::to_string(num_dims) +
                     " dimensions");
  }
  if (!(values.rank() == 0 || (values.rank() == 1 && values.dim(0) == num_elems))) {
    return ctx.Error("sparse_values must be a scalar or have shape [" + std::to_string(num_elems) +
                     "], got " + values.shape().DebugString());
  }
  if (default_value.rank() != 0) {
    return ctx.Error("default_value must be a scalar, got shape " +
                     default_value.shape().DebugString());
  }
  if (values.dtype() != default_value.dtype()) {
    return ctx.Error("sparse_values and default_value have different dtypes: " +
                     DataTypeName(values.dtype()) + " and " + DataTypeName(default_value.dtype()));
  }
  return Status::Ok();
}

// The output dims and their number of elements (at most 2^40).
Status ReadOutputShape(const KernelContext& ctx, std::vector<int64_t>* dims, int64_t* total) {
  TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, ctx.input(1), "output_shape", dims));
  *total = 1;
  for (int64_t d : *dims) {
    if (d < 0) {
      return ctx.Error("output_shape " + TensorShape(*dims).DebugString() +
                       " has a negative dimension");
    }
    if (d != 0 && *total > (int64_t{1} << 40) / d) {
      return ctx.Error("output_shape " + TensorShape(*dims).DebugString() + " is too large");
    }
    *total *= d;
  }
  return Status::Ok();
}

class SparseToDenseKernel final : public OpKernel {
 public:
  explicit SparseToDenseKernel(bool validate) : validate_(validate) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& indices = ctx.input(0);
    const Tensor& output_shape = ctx.input(1);
    const Tensor& values = ctx.input(2);
    const Tensor& default_value = ctx.input(3);
    if (indices.rank() > 2) {
      return ctx.Error("sparse_indices must be a scalar, vector or matrix, got shape " +
                       indices.shape().DebugString());
    }
    if (output_shape.rank() != 1) {
      return ctx.Error("output_shape must be 1-D, got shape " + output_shape.shape().DebugString());
    }
    const int64_t num_elems = indices.rank() > 0 ? indices.dim(0) : 1;
    const int64_t num_dims = indices.rank() > 1 ? indices.dim(1) : 1;
    TERN_RETURN_IF_ERROR(CheckInputs(ctx, num_elems, num_dims));
    std::vector<int64_t> dims;
    int64_t total = 0;
    TERN_RETURN_IF_ERROR(ReadOutputShape(ctx, &dims, &total));
    std::vector<int64_t> idx;
    TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, indices, "sparse_indices", &idx));
    if (indices.dtype() != output_shape.dtype()) {
      return ctx.Error("sparse_indices and output_shape have different dtypes");
    }
    std::vector<int64_t> offsets(num_elems);
    TERN_RETURN_IF_ERROR(FlatOffsets(ctx, idx, num_dims, dims, &offsets));
    return DispatchByElementSize(
        values.dtype(), "sparse_values",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(Tensor * out,
                                ctx.AllocateOutput(0, values.dtype(), TensorShape(dims)));
          T* o = out->flat<T>();
          const T def = default_value.flat<T>()[0];
          for (int64_t i = 0; i < total; ++i) o[i] = def;
          const T* v = values.flat<T>();
          const bool scalar = values.rank() == 0;
          for (int64_t i = 0; i < num_elems; ++i) o[offsets[i]] = scalar ? v[0] : v[i];
          return Status::Ok();
        },
        ctx);
  }

 private:
  // Flat output offsets of the indices, checking bounds (and order when validating).
  Status FlatOffsets(const KernelContext& ctx, const std::vector<int64_t>& idx, int64_t num_dims,
                     const std::vector<int64_t>& dims, std::vector<int64_t>* offsets) const {
    const std::vector<int64_t> strides = RowMajorStrides(dims);
    const int64_t num_elems = static_cast<int64_t>(offsets->size());
    for (int64_t i = 0; i < num_elems; ++i) {
      int64_t offset = 0;
      for (int64_t d = 0; d < num_dims; ++d) {
        const int64_t v = idx[i * num_dims + d];
        if (v < 0 || v >= dims[d]) {
          return ctx.Error(
              "sparse_indices[" + std::to_string(i) + "] = " + IndexString(idx, i, num_dims) +
              " is out of bounds: need 0 <= index < " + TensorShape(dims).DebugString());
        }
        offset += v * strides[d];
      }
      (*offsets)[i] = offset;
      if (validate_ && i > 0) {
        // Row-major offsets of in-bounds indices order exactly as the indices do.
        if (offset < (*offsets)[i - 1]) {
          return ctx.Error("sparse_indices[" + std::to_string(i) +
                           "] = " + IndexString(idx, i, num_dims) +
                           " is out of order; many sparse ops require sorted indices");
        }
        if (offset == (*offsets)[i - 1]) {
          return ctx.Error("sparse_indices[" + std::to_string(i) +
                           "] = " + IndexString(idx, i, num_dims) + " is repeated");
        }
      }
    }
    return Status::Ok();
  }

  const bool validate_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSparseToDenseKernel(const KernelConstruction& c) {
  // validate_indices defaults to true (stripped from exports when true).
  return std::unique_ptr<OpKernel>(
      new SparseToDenseKernel(c.GetBoolAttrOr("validate_indices", true)));
}

}  // namespace tern
