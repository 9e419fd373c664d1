// RaggedTensorToTensor: a ragged tensor (flat `values` plus one row partition per ragged
// level) to a dense tensor, padding with `default_value` (broadcast to one value's shape) and
// cutting rows and columns beyond the `shape` input (-1 or a scalar -1: as large as needed).
// Partitions: ROW_SPLITS at every level, or FIRST_DIM_SIZE then VALUE_ROWIDS / ROW_SPLITS.
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

enum class Partition { kRowSplits, kValueRowIds };

std::string DimsString(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

class RaggedTensorToTensorKernel final : public OpKernel {
 public:
  RaggedTensorToTensorKernel(bool first_dim_size, std::vector<Partition> levels)
      : first_dim_size_(first_dim_size), levels_(std::move(levels)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& values = ctx.input(1);
    const Tensor& default_value = ctx.input(2);
    std::vector<std::vector<int64_t>> parts;
    int64_t nrows = 0;
    TERN_RETURN_IF_ERROR(ReadPartitions(ctx, &parts, &nrows));
    std::vector<int64_t> natural;
    TERN_RETURN_IF_ERROR(NaturalDims(ctx, parts, nrows, &natural));
    std::vector<int64_t> dims = natural;
    TERN_RETURN_IF_ERROR(ApplyRequestedShape(ctx, natural, &dims));
    std::vector<int64_t> inner_dims(values.shape().dims().begin() + 1, values.shape().dims().end());
    const TensorShape inner(inner_dims);
    TERN_RETURN_IF_ERROR(CheckDefaultValue(ctx, inner));
    const std::vector<int64_t> index = ValuePositions(parts, nrows, dims);

    const int64_t inner_size = inner.num_elements();
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, values.dtype(), TensorShape(dims)));
    const std::vector<int64_t> default_index = BroadcastIndex(default_value.shape(), inner);
    return DispatchByElementSize(
        values.dtype(), "values",
        [&]<typename T>() -> Status {
          T* o = out->flat<T>();
          const T* v = values.flat<T>();
          const T* dv = default_value.flat<T>();
          const int64_t blocks = inner_size == 0 ? 0 : out->num_elements() / inner_size;
          for (int64_t b = 0; b < blocks; ++b) {
            for (int64_t k = 0; k < inner_size; ++k) o[b * inner_size + k] = dv[default_index[k]];
          }
          for (size_t j = 0; j < index.size(); ++j) {
            if (index[j] >= 0)
              CopyElements(v + j * inner_size, inner_size, o + index[j] * inner_size);
          }
          return Status::Ok();
        },
        ctx);
  }

 private:
  // The partition of each ragged level (FIRST_DIM_SIZE taken off) and the number of rows.
  Status ReadPartitions(const KernelContext& ctx, std::vector<std::vector<int64_t>>* parts,
                        int64_t* nrows) const {
    const int num_partitions = ctx.num_inputs() - 3;
    const int expected = static_cast<int>(levels_.size()) + (first_dim_size_ ? 1 : 0);
    if (num_partitions != expected) {
      return ctx.Error("expected " + std::to_string(expected) +
                       " row_partition_tensors (row_partition_types), got " +
                       std::to_string(num_partitions));
    }
    if (ctx.input(1).rank() < 1) return ctx.Error("values must have rank >= 1, got a scalar");
    parts->resize(num_partitions);
    for (int i = 0; i < num_partitions; ++i) {
      TERN_RETURN_IF_ERROR(ReadIndexValues(
          ctx, ctx.input(3 + i), "row_partition_tensors[" + std::to_string(i) + "]", &(*parts)[i]));
    }
    if (first_dim_size_) {
      if ((*parts)[0].size() != 1) return ctx.Error("FIRST_DIM_SIZE must be a scalar");
      *nrows = (*parts)[0][0];
      if (*nrows < 0) {
        return ctx.Error("FIRST_DIM_SIZE must be >= 0, got " + std::to_string(*nrows));
      }
      parts->erase(parts->begin());
    } else {
      if ((*parts)[0].empty()) return ctx.Error("Invalid row split size: row_splits is empty");
      *nrows = static_cast<int64_t>((*parts)[0].size()) - 1;
    }
    return Status::Ok();
  }

  // Each level's row count and the longest row, validating the partitions on the way; then
  // the dims of one value.
  Status NaturalDims(const KernelContext& ctx, const std::vector<std::vector<int64_t>>& parts,
                     int64_t nrows, std::vector<int64_t>* natural) const {
    const Tensor& values = ctx.input(1);
    const int ragged_rank = static_cast<int>(levels_.size());
    natural->assign(ragged_rank + values.rank(), 0);
    (*natural)[0] = nrows;
    int64_t parent_rows = nrows;
    for (int l = 0; l < ragged_rank; ++l) {
      const std::vector<int64_t>& p = parts[l];
      // Only the last level's partition indexes the values themselves.
      const int64_t value_rows = l + 1 == ragged_rank ? values.dim(0) : -1;
      int64_t longest = 0;
      if (levels_[l] == Partition::kRowSplits) {
        TERN_ASSIGN_OR_RETURN(longest, LongestSplitRow(ctx, l, p, parent_rows, value_rows));
      } else {
        TERN_ASSIGN_OR_RETURN(longest, LongestRowIdRun(ctx, p, parent_rows, value_rows));
      }
      (*natural)[l + 1] = longest;
      parent_rows = ChildCount(levels_[l], p);
    }
    for (int d = 1; d < values.rank(); ++d) (*natural)[ragged_rank + d] = values.dim(d);
    return Status::Ok();
  }

  // value_rows < 0: not the last level.
  static StatusOr<int64_t> LongestSplitRow(const KernelContext& ctx, int l,
                                           const std::vector<int64_t>& p, int64_t parent_rows,
                                           int64_t value_rows) {
    if (static_cast<int64_t>(p.size()) != parent_rows + 1 || p[0] != 0) {
      return ctx.Error("Invalid row split size: row_splits[" + std::to_string(l) + "] must have " +
                       std::to_string(parent_rows + 1) + " entries starting at 0, got " +
                       DimsString(p));
    }
    int64_t longest = 0;
    for (size_t i = 1; i < p.size(); ++i) {
      if (p[i] < p[i - 1]) return ctx.Error("row_splits must be non-decreasing: " + DimsString(p));
      longest = std::max(longest, p[i] - p[i - 1]);
    }
    // Like TensorFlow, values past the last split are ignored.
    if (value_rows >= 0 && p.back() > value_rows) {
      return ctx.Error("row_splits ends at " + std::to_string(p.back()) + " but values has " +
                       std::to_string(value_rows) + " rows");
    }
    return longest;
  }

  static StatusOr<int64_t> LongestRowIdRun(const KernelContext& ctx, const std::vector<int64_t>& p,
                                           int64_t parent_rows, int64_t value_rows) {
    if (value_rows >= 0 && static_cast<int64_t>(p.size()) != value_rows) {
      return ctx.Error("value_rowids has " + std::to_string(p.size()) + " entries but values has " +
                       std::to_string(value_rows) + " rows");
    }
    int64_t longest = 0;
    int64_t run = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] < 0 || p[i] >= parent_rows) {
        return ctx.Error("Got next_value_rowid=" + std::to_string(p[i]) +
                         " which is not less than " + std::to_string(parent_rows));
      }
      if (i > 0 && p[i] < p[i - 1]) return ctx.Error("value_rowids must be sorted ascending");
      run = (i > 0 && p[i] == p[i - 1]) ? run + 1 : 1;
      longest = std::max(longest, run);
    }
    return longest;
  }

  // The `shape` input overrides natural dims where it is not -1 (only ragged ones may differ).
  Status ApplyRequestedShape(const KernelContext& ctx, const std::vector<int64_t>& natural,
                             std::vector<int64_t>* dims) const {
    const Tensor& shape_in = ctx.input(0);
    const int ragged_rank = static_cast<int>(levels_.size());
    const int out_rank = static_cast<int>(natural.size());
    std::vector<int64_t> requested;
    TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, shape_in, "shape", &requested));
    if (shape_in.rank() > 0) {
      if (static_cast<int>(requested.size()) != out_rank) {
        return ctx.Error("rt_input.shape and shape=" + DimsString(requested) +
                         " are incompatible: rt_input.rank = " + std::to_string(out_rank) +
                         " but shape.rank = " + std::to_string(requested.size()));
      }
      for (int d = 0; d < out_rank; ++d) {
        if (requested[d] < -1)
          return ctx.Error("shape " + DimsString(requested) + " has a dim < -1");
        if (requested[d] == -1) continue;
        if (d > ragged_rank && requested[d] != natural[d]) {
          return ctx.Error("rt_input.shape and shape=" + DimsString(requested) +
                           " are incompatible: rt_input.shape[" + std::to_string(d) +
                           "] = " + std::to_string(natural[d]) + " but shape[" + std::to_string(d) +
                           "] = " + std::to_string(requested[d]));
        }
        (*dims)[d] = requested[d];
      }
    } else if (requested.size() == 1 && requested[0] != -1) {
      return ctx.Error("a scalar shape must be -1 (unknown), got " + std::to_string(requested[0]));
    }
    return Status::Ok();
  }

  // default_value must have the values' dtype and broadcast to one value's shape (`inner`).
  static Status CheckDefaultValue(const KernelContext& ctx, const TensorShape& inner) {
    const Tensor& values = ctx.input(1);
    const Tensor& default_value = ctx.input(2);
    if (default_value.dtype() != values.dtype()) {
      return ctx.Error("default_value has dtype " + DataTypeName(default_value.dtype()) +
                       ", values " + DataTypeName(values.dtype()));
    }
    bool default_ok = default_value.rank() <= inner.rank();
    for (int i = 1; default_ok && i <= default_value.rank(); ++i) {
      const int64_t dd = default_value.dim(default_value.rank() - i);
      default_ok = dd == 1 || dd == inner.dim(inner.rank() - i);
    }
    if (!default_ok) {
      return ctx.Error("default_value.shape=" + default_value.shape().DebugString() +
                       " and rt_input.flat_values.shape=" + values.shape().DebugString() +
                       " are incompatible: default_value must broadcast to " + inner.DebugString());
    }
    return Status::Ok();
  }

  // Where each value goes: a flat index into dims[0..ragged_rank], or -1 when cut off.
  std::vector<int64_t> ValuePositions(const std::vector<std::vector<int64_t>>& parts, int64_t nrows,
                                      const std::vector<int64_t>& dims) const {
    std::vector<int64_t> index(static_cast<size_t>(nrows));
    for (int64_t r = 0; r < nrows; ++r) index[r] = r < dims[0] ? r : -1;
    for (size_t l = 0; l < levels_.size(); ++l) {
      const std::vector<int64_t>& p = parts[l];
      const int64_t width = dims[l + 1];
      std::vector<int64_t> next(static_cast<size_t>(ChildCount(levels_[l], p)), -1);
      if (levels_[l] == Partition::kRowSplits) {
        for (size_t r = 0; r + 1 < p.size(); ++r) {
          for (int64_t j = p[r]; j < p[r + 1]; ++j) {
            const int64_t pos = j - p[r];
            next[j] = (index[r] < 0 || pos >= width) ? -1 : index[r] * width + pos;
          }
        }
      } else {
        int64_t pos = 0;
        for (size_t j = 0; j < p.size(); ++j) {
          pos = (j > 0 && p[j] == p[j - 1]) ? pos + 1 : 0;
          const int64_t parent = index[p[j]];
          next[j] = (parent < 0 || pos >= width) ? -1 : parent * width + pos;
        }
      }
      index = std::move(next);
    }
    return index;
  }

  // Elements a level's (validated) partition spreads over its rows: the next level's rows.
  static int64_t ChildCount(Partition kind, const std::vector<int64_t>& p) {
    return kind == Partition::kRowSplits ? p.back() : static_cast<int64_t>(p.size());
  }

  const bool first_dim_size_;
  const std::vector<Partition> levels_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRaggedTensorToTensorKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(std::vector<std::string> types, c.GetStringListAttr("row_partition_types"));
  if (types.empty()) return c.Error("row_partition_types must not be empty");
  const bool first_dim_size = types[0] == "FIRST_DIM_SIZE";
  std::vector<Partition> levels;
  for (size_t i = first_dim_size ? 1 : 0; i < types.size(); ++i) {
    if (types[i] == "ROW_SPLITS") {
      levels.push_back(Partition::kRowSplits);
    } else if (types[i] == "VALUE_ROWIDS" && first_dim_size) {
      levels.push_back(Partition::kValueRowIds);
    } else {
      return c.Error("row_partition_types[" + std::to_string(i) + "] = '" + types[i] +
                     "' is not supported (expected ROW_SPLITS, or FIRST_DIM_SIZE followed by "
                     "VALUE_ROWIDS or ROW_SPLITS)");
    }
  }
  if (levels.empty()) return c.Error("row_partition_types names no ragged dimension");
  return std::unique_ptr<OpKernel>(
      new RaggedTensorToTensorKernel(first_dim_size, std::move(levels)));
}

}  // namespace tern
