// SparseCross (v1): the cross product of sparse and dense feature columns, row by row.
// Inputs: indices[N] (int64 [nnz, 2]), values[N], shapes[N] (int64 [2]) of N sparse columns,
// then dense_inputs ([batch, k] each). Columns are taken sparse first, then dense, in order;
// each row yields every combination of its columns' values, the last column varying fastest.
// Outputs a 2-D SparseTensor: indices [row, j], values, shape [batch, max crosses per row].
// Rows of a sparse column are read as TensorFlow does (indices are expected sorted by row; see
// the scan below for what unsorted ones give). Rows outside [0, batch) are an error.
//
// hashed_output=true: h = hash_key, then h = FingerprintCat64(h, value) for each column's value
// (an int64 as is, a string as Fingerprint64 of its bytes); the output is h % num_buckets
// (h % INT64_MAX when num_buckets == 0) as int64.
// hashed_output=false: the output is the string "v1_X_v2_X_..." (int64 values in decimal).
#include <algorithm>
#include <string>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/string_hash.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

constexpr int64_t kMaxCrosses = int64_t{1} << 31;

// One input column viewed row by row. A sparse column keeps only the rows it has values for
// (memory follows the data, not the claimed batch size).
struct Column {
  const Tensor* values = nullptr;
  int64_t dense_width = -1;    // >= 0 for a dense column
  std::vector<int64_t> rows;   // sparse: distinct rows, ascending
  std::vector<int64_t> start;  // sparse: first value of each row
  std::vector<int64_t> count;  // sparse: values in each row

  // The values of `row`: first index and count (count 0 if the row has none).
  std::pair<int64_t, int64_t> Find(int64_t row) const {
    if (dense_width >= 0) return {row * dense_width, dense_width};
    auto it = std::lower_bound(rows.begin(), rows.end(), row);
    if (it == rows.end() || *it != row) return {0, 0};
    const size_t k = static_cast<size_t>(it - rows.begin());
    return {start[k], count[k]};
  }
};

// Per candidate row with crosses: the row, its number of crosses, and for each column the
// first index and count of its values in that row (row k's at [k * num_columns ..]).
struct CrossRows {
  std::vector<int64_t> rows, crosses, starts, counts;
  int64_t total = 0;    // crosses over all rows
  int64_t max_row = 0;  // most crosses in one row
};

// Sparse rows are read as TensorFlow reads them: scanning rows 0, 1, ... and taking the run of
// entries whose row is the current one. With sorted indices that is every entry; an entry whose
// row is not above the previous run's ends the scan (the rest are never reached).
void ScanSparseRows(const int64_t* idx, int64_t nnz, Column* col) {
  for (int64_t k = 0; k < nnz;) {
    const int64_t row = idx[2 * k];
    if (!col->rows.empty() && row <= col->rows.back()) break;
    const int64_t first = k;
    while (k < nnz && idx[2 * k] == row) ++k;
    col->rows.push_back(row);
    col->start.push_back(first);
    col->count.push_back(k - first);
  }
}

// The next combination of one row's values: the last column varies fastest.
inline void NextCombination(const int64_t* row_count, size_t num_columns, int64_t* pos) {
  for (size_t c = num_columns; c-- > 0;) {
    if (++pos[c] < row_count[c]) break;
    pos[c] = 0;
  }
}

class SparseCrossKernel final : public OpKernel {
 public:
  SparseCrossKernel(int num_sparse, std::vector<DataType> sparse_types,
                    std::vector<DataType> dense_types, bool hashed, int64_t num_buckets,
                    uint64_t hash_key)
      : num_sparse_(num_sparse),
        sparse_types_(std::move(sparse_types)),
        dense_types_(std::move(dense_types)),
        hashed_(hashed),
        num_buckets_(num_buckets),
        hash_key_(hash_key) {}

  Status Compute(KernelContext& ctx) const override {
    const int n = num_sparse_;
    const int nd = static_cast<int>(dense_types_.size());
    if (ctx.num_inputs() != 3 * n + nd) {
      return ctx.Error("expected " + std::to_string(3 * n + nd) + " inputs, got " +
                       std::to_string(ctx.num_inputs()));
    }
    if (n + nd == 0) return ctx.Error("no columns to cross");
    TERN_ASSIGN_OR_RETURN(const int64_t batch, BatchSize(ctx));
    std::vector<Column> columns(n + nd);
    for (int i = 0; i < n; ++i) TERN_RETURN_IF_ERROR(ReadSparseColumn(ctx, i, batch, &columns[i]));
    for (int i = 0; i < nd; ++i) {
      TERN_RETURN_IF_ERROR(ReadDenseColumn(ctx, i, batch, &columns[n + i]));
    }
    CrossRows plan;
    TERN_RETURN_IF_ERROR(CountCrosses(ctx, columns, batch, &plan));

    TERN_ASSIGN_OR_RETURN(Tensor * out_indices,
                          ctx.AllocateOutput(0, tensorflow::DT_INT64, TensorShape{plan.total, 2}));
    TERN_ASSIGN_OR_RETURN(
        Tensor * out_values,
        ctx.AllocateOutput(1, hashed_ ? tensorflow::DT_INT64 : tensorflow::DT_STRING,
                           TensorShape{plan.total}));
    TERN_ASSIGN_OR_RETURN(Tensor * out_shape,
                          ctx.AllocateOutput(2, tensorflow::DT_INT64, TensorShape{2}));
    out_shape->flat<int64_t>()[0] = batch;
    out_shape->flat<int64_t>()[1] = plan.max_row;
    WriteCrosses(columns, plan, out_indices, out_values);
    return Status::Ok();
  }

 private:
  // From the first sparse column's shape, or the first dense column when there is none.
  StatusOr<int64_t> BatchSize(const KernelContext& ctx) const {
    const int n = num_sparse_;
    int64_t batch = -1;
    if (n > 0) {
      const Tensor& shape = ctx.input(2 * n);
      if (shape.dtype() != tensorflow::DT_INT64 || shape.rank() != 1 || shape.dim(0) != 2) {
        return ctx.Error("shapes[0] must be int64 [2], got " + shape.DebugString());
      }
      batch = shape.flat<int64_t>()[0];
    } else {
      const Tensor& dense = ctx.input(0);
      if (dense.rank() != 2) {
        return ctx.Error("dense_inputs[0] must be 2-D, got shape " + dense.shape().DebugString());
      }
      batch = dense.dim(0);
    }
    if (batch < 0) return ctx.Error("negative batch size " + std::to_string(batch));
    return batch;
  }

  Status ReadSparseColumn(const KernelContext& ctx, int i, int64_t batch, Column* col) const {
    const int n = num_sparse_;
    const std::string si = "[" + std::to_string(i) + "]";
    const Tensor& indices = ctx.input(i);
    const Tensor& values = ctx.input(n + i);
    const Tensor& shape = ctx.input(2 * n + i);
    if (indices.dtype() != tensorflow::DT_INT64 || indices.rank() != 2 || indices.dim(1) != 2) {
      return ctx.Error("indices" + si + " must be int64 [nnz, 2], got " + indices.DebugString());
    }
    if (values.dtype() != sparse_types_[i] || values.rank() != 1 ||
        values.dim(0) != indices.dim(0)) {
      return ctx.Error("values" + si + " must be " + DataTypeName(sparse_types_[i]) + " [" +
                       std::to_string(indices.dim(0)) + "], got " + values.DebugString());
    }
    if (shape.dtype() != tensorflow::DT_INT64 || shape.rank() != 1 || shape.dim(0) != 2) {
      return ctx.Error("shapes" + si + " must be int64 [2], got " + shape.DebugString());
    }
    if (shape.flat<int64_t>()[0] != batch) {
      return ctx.Error("shapes" + si + " has batch size " +
                       std::to_string(shape.flat<int64_t>()[0]) + ", expected " +
                       std::to_string(batch));
    }
    col->values = &values;
    const int64_t nnz = indices.dim(0);
    const int64_t* idx = indices.flat<int64_t>();
    for (int64_t k = 0; k < nnz; ++k) {
      const int64_t row = idx[2 * k];
      if (row < 0 || row >= batch) {
        return ctx.Error("indices" + si + "[" + std::to_string(k) + "] has row " +
                         std::to_string(row) + ", outside the batch of " + std::to_string(batch));
      }
    }
    ScanSparseRows(idx, nnz, col);
    return Status::Ok();
  }

  Status ReadDenseColumn(const KernelContext& ctx, int i, int64_t batch, Column* col) const {
    const Tensor& dense = ctx.input(3 * num_sparse_ + i);
    const std::string si = "dense_inputs[" + std::to_string(i) + "]";
    if (dense.dtype() != dense_types_[i] || dense.rank() != 2) {
      return ctx.Error(si + " must be 2-D " + DataTypeName(dense_types_[i]) + ", got " +
                       dense.DebugString());
    }
    if (dense.dim(0) != batch) {
      return ctx.Error(si + " has batch size " + std::to_string(dense.dim(0)) + ", expected " +
                       std::to_string(batch));
    }
    col->values = &dense;
    col->dense_width = dense.dim(1);
    return Status::Ok();
  }

  // Rows that can have crosses: those of the first sparse column, or every row when all
  // columns are dense (their data spans the batch). For each: crosses and value offsets.
  Status CountCrosses(const KernelContext& ctx, const std::vector<Column>& columns, int64_t batch,
                      CrossRows* plan) const {
    std::vector<int64_t> candidates;
    if (num_sparse_ > 0) {
      candidates = columns[0].rows;
    } else {
      candidates.resize(batch);
      for (int64_t r = 0; r < batch; ++r) candidates[r] = r;
    }
    for (int64_t r : candidates) {
      int64_t product = 1;
      const size_t first = plan->starts.size();
      for (const Column& col : columns) {
        const auto [start, count] = col.Find(r);
        if (count == 0) {
          product = 0;
          break;
        }
        if (product > kMaxCrosses / count) return ctx.Error("too many feature crosses in a row");
        product *= count;
        plan->starts.push_back(start);
        plan->counts.push_back(count);
      }
      if (product == 0) {
        plan->starts.resize(first);
        plan->counts.resize(first);
        continue;
      }
      plan->rows.push_back(r);
      plan->crosses.push_back(product);
      plan->total += product;
      if (plan->total > kMaxCrosses) return ctx.Error("too many feature crosses");
      plan->max_row = std::max(plan->max_row, product);
    }
    return Status::Ok();
  }

  void WriteCrosses(const std::vector<Column>& columns, const CrossRows& plan, Tensor* out_indices,
                    Tensor* out_values) const {
    const size_t num_columns = columns.size();
    std::vector<int64_t> pos(num_columns);
    int64_t o = 0;
    for (size_t k = 0; k < plan.rows.size(); ++k) {
      const int64_t r = plan.rows[k];
      const int64_t* row_start = plan.starts.data() + k * num_columns;
      const int64_t* row_count = plan.counts.data() + k * num_columns;
      std::fill(pos.begin(), pos.end(), 0);
      for (int64_t j = 0; j < plan.crosses[k]; ++j, ++o) {
        out_indices->flat<int64_t>()[2 * o] = r;
        out_indices->flat<int64_t>()[2 * o + 1] = j;
        if (hashed_) {
          out_values->flat<int64_t>()[o] = HashedCross(columns, row_start, pos);
        } else {
          out_values->flat<std::string>()[o] = StringCross(columns, row_start, pos);
        }
        NextCombination(row_count, num_columns, pos.data());
      }
    }
  }

  // The combination that takes value row_start[c] + pos[c] of each column c.
  int64_t HashedCross(const std::vector<Column>& columns, const int64_t* row_start,
                      const std::vector<int64_t>& pos) const {
    uint64_t h = hash_key_;
    for (size_t c = 0; c < columns.size(); ++c) {
      const Tensor& values = *columns[c].values;
      const int64_t at = row_start[c] + pos[c];
      h = FingerprintCat64(h, values.dtype() == tensorflow::DT_STRING
                                  ? Fingerprint64(values.flat<std::string>()[at])
                                  : static_cast<uint64_t>(values.flat<int64_t>()[at]));
    }
    h %= num_buckets_ > 0 ? static_cast<uint64_t>(num_buckets_) : static_cast<uint64_t>(INT64_MAX);
    return static_cast<int64_t>(h);
  }

  static std::string StringCross(const std::vector<Column>& columns, const int64_t* row_start,
                                 const std::vector<int64_t>& pos) {
    std::string s;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c) s += "_X_";
      const Tensor& values = *columns[c].values;
      const int64_t v = row_start[c] + pos[c];
      if (values.dtype() == tensorflow::DT_STRING) {
        s += values.flat<std::string>()[v];
      } else {
        s += std::to_string(values.flat<int64_t>()[v]);
      }
    }
    return s;
  }

  const int num_sparse_;
  const std::vector<DataType> sparse_types_;
  const std::vector<DataType> dense_types_;
  const bool hashed_;
  const int64_t num_buckets_;
  const uint64_t hash_key_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSparseCrossKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(std::vector<DataType> sparse_types, c.GetTypeListAttr("sparse_types"));
  TERN_ASSIGN_OR_RETURN(std::vector<DataType> dense_types, c.GetTypeListAttr("dense_types"));
  const int n = static_cast<int>(sparse_types.size());
  if (c.HasAttr("N")) {
    TERN_ASSIGN_OR_RETURN(int64_t attr_n, c.GetIntAttr("N"));
    if (attr_n != n) {
      return c.Error("N = " + std::to_string(attr_n) + " but sparse_types has " +
                     std::to_string(n) + " entries");
    }
  }
  const auto* hashed_attr = c.FindAttr("hashed_output");
  if (hashed_attr == nullptr || hashed_attr->value_case() != tensorflow::AttrValue::kB) {
    return c.Error("missing or mistyped attr 'hashed_output' (expected bool)");
  }
  const bool hashed = hashed_attr->b();
  TERN_ASSIGN_OR_RETURN(int64_t num_buckets, c.GetIntAttr("num_buckets"));
  TERN_ASSIGN_OR_RETURN(int64_t hash_key, c.GetIntAttr("hash_key"));
  TERN_ASSIGN_OR_RETURN(DataType out_type, c.GetTypeAttr("out_type"));
  if (num_buckets < 0) {
    return c.Error("num_buckets must be non-negative, got " + std::to_string(num_buckets));
  }
  std::vector<DataType> all = sparse_types;
  all.insert(all.end(), dense_types.begin(), dense_types.end());
  for (DataType t : all) {
    if (t != tensorflow::DT_INT64 && t != tensorflow::DT_STRING) {
      return c.Error("inputs must be int64 or string, got " + DataTypeName(t));
    }
  }
  if (hashed) {
    if (out_type != tensorflow::DT_INT64) {
      return c.Error("hashed_output=true needs out_type int64, got " + DataTypeName(out_type));
    }
  } else if (out_type != tensorflow::DT_STRING) {
    return c.Error("hashed_output=false needs out_type string, got " + DataTypeName(out_type));
  }
  return std::unique_ptr<OpKernel>(
      new SparseCrossKernel(n, std::move(sparse_types), std::move(dense_types), hashed, num_buckets,
                            static_cast<uint64_t>(hash_key)));
}

}  // namespace tern
