#include "runtime/kernels/internal/broadcast.h"

#include <algorithm>

namespace tern {

StatusOr<TensorShape> BroadcastShape(const TensorShape& a, const TensorShape& b) {
  const int rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> dims(rank);
  for (int i = 0; i < rank; ++i) {
    const int ia = a.rank() - rank + i;
    const int ib = b.rank() - rank + i;
    const int64_t da = ia >= 0 ? a.dim(ia) : 1;
    const int64_t db = ib >= 0 ? b.dim(ib) : 1;
    if (da == db || db == 1) {
      dims[i] = da;
    } else if (da == 1) {
      dims[i] = db;
    } else {
      return InvalidArgument("incompatible shapes for broadcasting: " + a.DebugString() + " and " +
                             b.DebugString());
    }
  }
  return TensorShape(std::move(dims));
}

std::vector<int64_t> BroadcastIndex(const TensorShape& in, const TensorShape& out) {
  const int rank = out.rank();
  // Input strides aligned to the output's rank; 0 where the input dim is broadcast.
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    const int ii = in.rank() - rank + i;
    const int64_t d = ii >= 0 ? in.dim(ii) : 1;
    strides[i] = d == 1 ? 0 : stride;
    stride *= d;
  }
  const int64_t n = out.num_elements();
  std::vector<int64_t> index(n);
  std::vector<int64_t> counter(rank, 0);
  int64_t offset = 0;
  for (int64_t i = 0; i < n; ++i) {
    index[i] = offset;
    for (int d = rank - 1; d >= 0; --d) {
      ++counter[d];
      offset += strides[d];
      if (counter[d] < out.dim(d)) break;
      offset -= strides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return index;
}

std::optional<MiddleBroadcast> FindMiddleBroadcast(const TensorShape& in, const TensorShape& out) {
  const int rank = out.rank();
  if (in.rank() > rank) return std::nullopt;
  auto in_dim = [&](int i) {
    return i - (rank - in.rank()) >= 0 ? in.dim(i - (rank - in.rank())) : 1;
  };
  int first = -1, last = -1;
  for (int i = 0; i < rank; ++i) {
    const bool repeated = in_dim(i) == 1 && out.dim(i) != 1;
    if (repeated) {
      if (first < 0) first = i;
      last = i;
    } else if (in_dim(i) != out.dim(i)) {
      return std::nullopt;
    }
  }
  if (first < 0) return std::nullopt;
  for (int i = first; i <= last; ++i) {
    if (in_dim(i) != 1) return std::nullopt;  // a kept dim between two repeated ones
  }
  MiddleBroadcast m;
  for (int i = 0; i < rank; ++i) {
    (i < first ? m.outer : i <= last ? m.middle : m.inner) *= out.dim(i);
  }
  return m;
}

}  // namespace tern
