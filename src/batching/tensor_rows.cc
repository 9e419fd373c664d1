#include "batching/tensor_rows.h"

#include <algorithm>
#include <cstring>

namespace tern {
namespace {

// Copies a block of shape src_dims into the corner of a block of shape dst_dims (dst_dims >=
// src_dims dimension by dimension). Each element is `width` consecutive Elems.
template <typename Elem>
void CopyIntoCorner(const Elem* src, const std::vector<int64_t>& src_dims, Elem* dst,
                    const std::vector<int64_t>& dst_dims, size_t dim, size_t width) {
  if (dim == src_dims.size()) {
    std::copy(src, src + width, dst);
    return;
  }
  size_t src_stride = width, dst_stride = width;
  for (size_t d = dim + 1; d < src_dims.size(); ++d) {
    src_stride *= static_cast<size_t>(src_dims[d]);
    dst_stride *= static_cast<size_t>(dst_dims[d]);
  }
  if (src_stride == dst_stride) {  // the rest is contiguous in both
    std::copy(src, src + src_stride * src_dims[dim], dst);
    return;
  }
  for (int64_t i = 0; i < src_dims[dim]; ++i) {
    CopyIntoCorner(src + i * src_stride, src_dims, dst + i * dst_stride, dst_dims, dim + 1, width);
  }
}

template <typename Elem>
void CopyRows(const Tensor& part, const std::vector<int64_t>& row_dims_out, Elem* dst, size_t width,
              const Elem* src) {
  std::vector<int64_t> src_row(part.shape().dims().begin() + 1, part.shape().dims().end());
  size_t src_row_size = width, dst_row_size = width;
  for (size_t d = 0; d < src_row.size(); ++d) {
    src_row_size *= static_cast<size_t>(src_row[d]);
    dst_row_size *= static_cast<size_t>(row_dims_out[d]);
  }
  for (int64_t r = 0; r < part.dim(0); ++r) {
    CopyIntoCorner(src + r * src_row_size, src_row, dst + r * dst_row_size, row_dims_out, 0, width);
  }
}

}  // namespace

StatusOr<Tensor> ConcatRows(const std::vector<Tensor>& parts, int64_t total_rows, InnerDims inner) {
  if (parts.empty()) return InvalidArgument("no tensors to concatenate");
  const Tensor& first = parts.front();
  const DataType dtype = first.dtype();
  const int rank = first.rank();
  if (rank < 1) {
    return InvalidArgument("cannot batch a scalar: batching needs tensors of rank >= 1");
  }
  if (dtype != tensorflow::DT_STRING && DataTypeSize(dtype) == 0) {
    return InvalidArgument("cannot batch tensors of dtype " + DataTypeName(dtype));
  }
  std::vector<int64_t> row_dims(first.shape().dims().begin() + 1, first.shape().dims().end());
  int64_t rows = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Tensor& p = parts[i];
    if (p.dtype() != dtype || p.rank() != rank) {
      return InvalidArgument("part " + std::to_string(i) + " is " + p.DebugString() +
                             ", expected dtype " + DataTypeName(dtype) + " and rank " +
                             std::to_string(rank));
    }
    for (int d = 1; d < rank; ++d) {
      if (p.dim(d) == row_dims[d - 1]) continue;
      if (inner == InnerDims::kMustMatch) {
        return InvalidArgument("part " + std::to_string(i) + " has shape " +
                               p.shape().DebugString() + ", expected dims after the first to be " +
                               first.shape().DebugString());
      }
      row_dims[d - 1] = std::max(row_dims[d - 1], p.dim(d));
    }
    rows += p.dim(0);
  }
  if (total_rows < rows) {
    return InvalidArgument("total_rows " + std::to_string(total_rows) + " < rows in the parts " +
                           std::to_string(rows));
  }
  if (rows == 0 && total_rows > 0) return InvalidArgument("cannot pad a batch with no rows");
  std::vector<int64_t> out_dims = {total_rows};
  out_dims.insert(out_dims.end(), row_dims.begin(), row_dims.end());
  TERN_ASSIGN_OR_RETURN(Tensor out, Tensor::Create(dtype, TensorShape(out_dims)));
  int64_t row_elems = 1;
  for (int64_t d : row_dims) row_elems *= d;

  int64_t at = 0;
  if (dtype == tensorflow::DT_STRING) {
    std::string* dst = out.flat<std::string>();
    for (const Tensor& p : parts) {
      CopyRows(p, row_dims, dst + at * row_elems, 1, p.flat<std::string>());
      at += p.dim(0);
    }
    for (int64_t r = at; r < total_rows; ++r) {
      std::copy(dst, dst + row_elems, dst + r * row_elems);
    }
  } else {
    const size_t width = DataTypeSize(dtype);
    char* dst = static_cast<char*>(out.raw_data());
    const size_t row_bytes = static_cast<size_t>(row_elems) * width;
    for (const Tensor& p : parts) {
      CopyRows(p, row_dims, dst + at * row_bytes, width, static_cast<const char*>(p.raw_data()));
      at += p.dim(0);
    }
    for (int64_t r = at; r < total_rows; ++r) std::memcpy(dst + r * row_bytes, dst, row_bytes);
  }
  return out;
}

StatusOr<Tensor> SliceRows(const Tensor& tensor, int64_t begin, int64_t count) {
  if (tensor.rank() < 1) return InvalidArgument("cannot take rows of a scalar");
  if (begin < 0 || count < 0 || begin + count > tensor.dim(0)) {
    return InvalidArgument("rows [" + std::to_string(begin) + ", " + std::to_string(begin + count) +
                           ") are out of range for " + tensor.DebugString());
  }
  std::vector<int64_t> dims = tensor.shape().dim_vector();
  dims[0] = count;
  TERN_ASSIGN_OR_RETURN(Tensor out, Tensor::Create(tensor.dtype(), TensorShape(dims)));
  const int64_t row_elems = tensor.dim(0) == 0 ? 0 : tensor.num_elements() / tensor.dim(0);
  if (tensor.dtype() == tensorflow::DT_STRING) {
    const std::string* src = tensor.flat<std::string>() + begin * row_elems;
    std::copy(src, src + count * row_elems, out.flat<std::string>());
  } else {
    const size_t width = DataTypeSize(tensor.dtype());
    if (width == 0)
      return InvalidArgument("cannot take rows of dtype " + DataTypeName(tensor.dtype()));
    if (count > 0) {
      std::memcpy(out.raw_data(),
                  static_cast<const char*>(tensor.raw_data()) + begin * row_elems * width,
                  count * row_elems * width);
    }
  }
  return out;
}

}  // namespace tern
