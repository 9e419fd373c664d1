// SparseFillEmptyRows: gives every row of a 2-D+ SparseTensor at least one entry, adding
// [row, 0, ..., 0] = default_value to rows that have none. Output entries are grouped by row
// (input order kept within a row); empty_row_indicator marks the filled rows and
// reverse_index_map[i] is where input entry i went.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeSparseFillEmptyRows(KernelContext& ctx) {
  const Tensor& indices = ctx.input(0);
  const Tensor& values = ctx.input(1);
  const Tensor& dense_shape = ctx.input(2);
  const Tensor& default_value = ctx.input(3);
  if (indices.dtype() != tensorflow::DT_INT64 || indices.rank() != 2) {
    return ctx.Error("indices must be an int64 matrix, got " + indices.DebugString());
  }
  const int64_t n = indices.dim(0);
  const int64_t rank = indices.dim(1);
  if (values.rank() != 1 || values.dim(0) != n) {
    return ctx.Error("values must be a vector of " + std::to_string(n) + ", got " +
                     values.shape().DebugString());
  }
  if (dense_shape.dtype() != tensorflow::DT_INT64 || dense_shape.rank() != 1 ||
      dense_shape.num_elements() != rank || rank < 1) {
    return ctx.Error("dense_shape must be int64 [" + std::to_string(rank) + "], got " +
                     dense_shape.DebugString());
  }
  if (default_value.rank() != 0 || default_value.dtype() != values.dtype()) {
    return ctx.Error("default_value must be a scalar of the values' dtype, got " +
                     default_value.DebugString());
  }
  const int64_t rows = dense_shape.flat<int64_t>()[0];
  const int64_t* idx = indices.flat<int64_t>();
  std::vector<int64_t> count(rows > 0 ? rows : 0, 0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t row = idx[i * rank];
    if (row < 0 || row >= rows) {
      return ctx.Error("indices(" + std::to_string(i) + ", 0) is invalid: " + std::to_string(row) +
                       " >= " + std::to_string(rows));
    }
    ++count[row];
  }
  Tensor empty_rows(tensorflow::DT_BOOL, TensorShape{rows});
  std::vector<int64_t> start(rows + 1, 0);
  for (int64_t r = 0; r < rows; ++r) {
    empty_rows.flat<bool>()[r] = count[r] == 0;
    start[r + 1] = start[r] + std::max<int64_t>(count[r], 1);
  }
  const int64_t total = start[rows];
  Tensor out_indices(tensorflow::DT_INT64, TensorShape{total, rank});
  Tensor out_values(values.dtype(), TensorShape{total});
  Tensor reverse(tensorflow::DT_INT64, TensorShape{n});
  TERN_RETURN_IF_ERROR(DispatchByElementSize(
      values.dtype(), "values",
      [&]<typename T>() -> Status {
        std::vector<int64_t> next(start.begin(), start.end() - 1);
        for (int64_t i = 0; i < n; ++i) {
          const int64_t at = next[idx[i * rank]]++;
          for (int64_t d = 0; d < rank; ++d)
            out_indices.flat<int64_t>()[at * rank + d] = idx[i * rank + d];
          out_values.flat<T>()[at] = values.flat<T>()[i];
          reverse.flat<int64_t>()[i] = at;
        }
        for (int64_t r = 0; r < rows; ++r) {
          if (count[r] != 0) continue;
          out_indices.flat<int64_t>()[start[r] * rank] = r;  // other coordinates stay 0
          out_values.flat<T>()[start[r]] = default_value.flat<T>()[0];
        }
        return Status::Ok();
      },
      ctx));
  ctx.set_output(0, std::move(out_indices));
  ctx.set_output(1, std::move(out_values));
  ctx.set_output(2, std::move(empty_rows));
  ctx.set_output(3, std::move(reverse));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSparseFillEmptyRowsKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSparseFillEmptyRows>::Create(c);
}

}  // namespace tern
