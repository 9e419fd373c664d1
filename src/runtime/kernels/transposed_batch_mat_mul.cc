// _TransposedBatchMatMul(x, y): BatchMatMulV2 with the Transposes around it folded in, as the
// load-time pass runtime/optimize/fold_transposes.h writes it for attention (Keras 3's
// MultiHeadAttention moves the heads axis with a Transpose before and after each product):
//   out = Transpose(BatchMatMulV2(Transpose(x, perm_x), Transpose(y, perm_y), adj_x, adj_y),
//                   perm_out)
// where an empty perm is no Transpose. float only. Each product reads its operands where they lie
// and writes its result where the output Transpose would put it (Gemm with row strides), so none
// of the transposed copies is made; an operand whose matrix is not row-major or column-major in
// memory (a perm moving its innermost dim out of the last two) is gathered first.
#include <algorithm>
#include <numeric>
#include <vector>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/gemm.h"
#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// A tensor seen through a permutation: dims and element strides per logical dim.
struct View {
  std::vector<int64_t> dims, strides;
  int rank() const { return static_cast<int>(dims.size()); }
};

// Logical dim i of the view is dim perm[i] of `dims` laid out row-major.
View Permuted(std::span<const int64_t> dims, const std::vector<int64_t>& perm) {
  const std::vector<int64_t> strides = RowMajorStrides(dims);
  View v;
  for (size_t i = 0; i < dims.size(); ++i) {
    const size_t from = perm.empty() ? i : static_cast<size_t>(perm[i]);
    v.dims.push_back(dims[from]);
    v.strides.push_back(strides[from]);
  }
  return v;
}

// How Gemm reads a [rows, cols] matrix with the given element strides: row-major with row stride
// `ld`, or (transposed) stored [cols, rows] with row stride `ld`. false: neither.
struct MatrixLayout {
  bool transposed = false;
  int64_t ld = 0;
};
bool LayoutOf(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride,
              MatrixLayout* layout) {
  if (cols == 1 || col_stride == 1) {
    *layout = {false, rows == 1 ? std::max<int64_t>(cols, 1) : row_stride};
    return true;
  }
  if (rows == 1 || row_stride == 1) {
    *layout = {true, cols == 1 ? std::max<int64_t>(rows, 1) : col_stride};
    return true;
  }
  return false;
}

// The view's last two dims as a matrix Gemm can read; gathers the view into `copy` (row-major)
// first when it is neither layout.
const float* MatrixOperand(const float* data, View* view, std::vector<float>* copy,
                           MatrixLayout* layout) {
  const int r = view->rank();
  if (LayoutOf(view->dims[r - 2], view->dims[r - 1], view->strides[r - 2], view->strides[r - 1],
               layout)) {
    return data;
  }
  const int64_t total =
      std::accumulate(view->dims.begin(), view->dims.end(), int64_t{1}, std::multiplies<>());
  copy->resize(total);
  StridedGather(data, 0, view->dims, view->strides, copy->data());
  view->strides = RowMajorStrides(view->dims);
  *layout = {false, view->dims[r - 1]};
  return copy->data();
}

// Offsets of each batch in the broadcast batch shape `batch` for a view whose leading dims
// (right-aligned, size 1 repeating) are its batch dims.
std::vector<int64_t> BatchOffsets(const View& v, const TensorShape& batch) {
  const int rank = batch.rank();
  const int lead = v.rank() - 2;
  std::vector<int64_t> strides(rank, 0);
  for (int d = 0; d < rank; ++d) {
    const int vd = lead - rank + d;
    if (vd >= 0 && v.dims[vd] != 1) strides[d] = v.strides[vd];
  }
  const int64_t count = batch.num_elements();
  std::vector<int64_t> offsets(count, 0);
  std::vector<int64_t> index(rank, 0);
  for (int64_t b = 0; b < count; ++b) {
    int64_t at = 0;
    for (int d = 0; d < rank; ++d) at += index[d] * strides[d];
    offsets[b] = at;
    for (int d = rank - 1; d >= 0; --d) {
      if (++index[d] < batch.dim(d)) break;
      index[d] = 0;
    }
  }
  return offsets;
}

class TransposedBatchMatMulKernel final : public OpKernel {
 public:
  TransposedBatchMatMulKernel(bool adj_x, bool adj_y, std::vector<int64_t> perm_x,
                              std::vector<int64_t> perm_y, std::vector<int64_t> perm_out)
      : adj_x_(adj_x),
        adj_y_(adj_y),
        perm_x_(std::move(perm_x)),
        perm_y_(std::move(perm_y)),
        perm_out_(std::move(perm_out)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    if (x.dtype() != tensorflow::DT_FLOAT || y.dtype() != tensorflow::DT_FLOAT) {
      return ctx.Error("x and y must be float, got " + DataTypeName(x.dtype()) + " and " +
                       DataTypeName(y.dtype()));
    }
    if (x.rank() < 2 || y.rank() < 2) {
      return ctx.Error("x and y must have rank >= 2, got shapes " + x.shape().DebugString() +
                       " and " + y.shape().DebugString());
    }
    if (!perm_x_.empty())
      TERN_RETURN_IF_ERROR(CheckPermutation(ctx, perm_x_, "perm_x", x.shape(), "x"));
    if (!perm_y_.empty())
      TERN_RETURN_IF_ERROR(CheckPermutation(ctx, perm_y_, "perm_y", y.shape(), "y"));
    View vx = Permuted(x.shape().dims(), perm_x_);
    View vy = Permuted(y.shape().dims(), perm_y_);
    if (adj_x_) SwapLastTwo(&vx);
    if (adj_y_) SwapLastTwo(&vy);
    const int rx = vx.rank(), ry = vy.rank();
    const int64_t m = vx.dims[rx - 2], k = vx.dims[rx - 1];
    const int64_t n = vy.dims[ry - 1];
    if (vy.dims[ry - 2] != k) {
      return ctx.Error("inner dimensions do not match: x " + Describe(x, perm_x_, adj_x_) + ", y " +
                       Describe(y, perm_y_, adj_y_));
    }
    auto batch =
        BroadcastShape(TensorShape(std::vector<int64_t>(vx.dims.begin(), vx.dims.end() - 2)),
                       TensorShape(std::vector<int64_t>(vy.dims.begin(), vy.dims.end() - 2)));
    if (!batch.ok()) {
      return ctx.Error("batch dimensions of x " + Describe(x, perm_x_, adj_x_) + " and y " +
                       Describe(y, perm_y_, adj_y_) + " do not broadcast");
    }
    std::vector<int64_t> product_dims = batch->dim_vector();
    product_dims.push_back(m);
    product_dims.push_back(n);
    if (!perm_out_.empty()) {
      TERN_RETURN_IF_ERROR(
          CheckPermutation(ctx, perm_out_, "perm_out", TensorShape(product_dims), "the product"));
    }
    // The output as stored, and the product's logical dims' strides in it.
    std::vector<int64_t> out_dims(product_dims.size());
    for (size_t j = 0; j < out_dims.size(); ++j) {
      out_dims[j] = perm_out_.empty() ? product_dims[j] : product_dims[perm_out_[j]];
    }
    const std::vector<int64_t> out_strides = RowMajorStrides(out_dims);
    View product{product_dims, out_strides};
    for (size_t j = 0; j < perm_out_.size(); ++j) product.strides[perm_out_[j]] = out_strides[j];
    TERN_ASSIGN_OR_RETURN(
        Tensor * out,
        ctx.AllocateOutput(0, tensorflow::DT_FLOAT, TensorShape(out_dims),
                           k > 0 ? Tensor::Contents::kUnset : Tensor::Contents::kZeros));
    if (out->num_elements() == 0 || k == 0) return Status::Ok();
    const int rp = product.rank();
    MatrixLayout c_layout;
    std::vector<float> staged;  // the product row-major, when the output layout is neither
    float* c = out->flat<float>();
    if (!LayoutOf(m, n, product.strides[rp - 2], product.strides[rp - 1], &c_layout)) {
      staged.resize(out->num_elements());
      c = staged.data();
      c_layout = {false, n};
    }
    std::vector<float> x_copy, y_copy;
    MatrixLayout a_layout, b_layout;
    const float* a = MatrixOperand(x.flat<float>(), &vx, &x_copy, &a_layout);
    const float* b = MatrixOperand(y.flat<float>(), &vy, &y_copy, &b_layout);
    const std::vector<int64_t> a_offsets = BatchOffsets(vx, *batch);
    const std::vector<int64_t> b_offsets = BatchOffsets(vy, *batch);
    const std::vector<int64_t> c_offsets =
        staged.empty() ? BatchOffsets(product, *batch)
                       : BatchOffsets(View{product_dims, RowMajorStrides(product_dims)}, *batch);
    auto batches = [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        float* ci = c + c_offsets[i];
        if (!c_layout.transposed) {
          Gemm({a + a_offsets[i], b + b_offsets[i], ci, m, k, n, a_layout.transposed,
                b_layout.transposed, a_layout.ld, b_layout.ld, c_layout.ld});
        } else {  // C^T = op(b)^T * op(a)^T, written row-major into C's columns
          Gemm({b + b_offsets[i], a + a_offsets[i], ci, n, k, m, !b_layout.transposed,
                !a_layout.transposed, b_layout.ld, a_layout.ld, c_layout.ld});
        }
      }
    };
    const int64_t count = batch->num_elements();
    // As BatchMatMul: products too small for Gemm to split go to idle cores a batch each.
    const int64_t flops = 2 * m * k * n;
    if (flops < 4'000'000) {
      ForEachRowRange(count, flops, batches);
    } else {
      batches(0, count);
    }
    if (!staged.empty()) {
      // The row-major product moved where the output Transpose puts it.
      const std::vector<int64_t> staged_strides = RowMajorStrides(product_dims);
      std::vector<int64_t> gather_strides(out_dims.size());
      for (size_t j = 0; j < out_dims.size(); ++j) gather_strides[j] = staged_strides[perm_out_[j]];
      StridedGather(staged.data(), 0, out_dims, gather_strides, out->flat<float>());
    }
    return Status::Ok();
  }

 private:
  static void SwapLastTwo(View* v) {
    const int r = v->rank();
    std::swap(v->dims[r - 2], v->dims[r - 1]);
    std::swap(v->strides[r - 2], v->strides[r - 1]);
  }

  static std::string Describe(const Tensor& t, const std::vector<int64_t>& perm, bool adjoint) {
    std::string s = t.shape().DebugString();
    if (!perm.empty()) {
      s += " transposed by [";
      for (size_t i = 0; i < perm.size(); ++i) s += (i ? "," : "") + std::to_string(perm[i]);
      s += "]";
    }
    return adjoint ? s + " (adjoint)" : s;
  }

  const bool adj_x_;
  const bool adj_y_;
  const std::vector<int64_t> perm_x_;
  const std::vector<int64_t> perm_y_;
  const std::vector<int64_t> perm_out_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateTransposedBatchMatMulKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType type, c.GetTypeAttr("T"));
  if (type != tensorflow::DT_FLOAT) {
    return c.Error("dtype " + DataTypeName(type) + " is not supported (float)");
  }
  if (c.num_inputs() != 2) {
    return c.Error("expects 2 inputs (x, y), got " + std::to_string(c.num_inputs()));
  }
  TERN_ASSIGN_OR_RETURN(std::vector<int64_t> perm_x, c.GetIntListAttr("perm_x"));
  TERN_ASSIGN_OR_RETURN(std::vector<int64_t> perm_y, c.GetIntListAttr("perm_y"));
  TERN_ASSIGN_OR_RETURN(std::vector<int64_t> perm_out, c.GetIntListAttr("perm_out"));
  return std::unique_ptr<OpKernel>(new TransposedBatchMatMulKernel(
      c.GetBoolAttrOr("adj_x", false), c.GetBoolAttrOr("adj_y", false), std::move(perm_x),
      std::move(perm_y), std::move(perm_out)));
}

}  // namespace tern
