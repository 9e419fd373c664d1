// Bitcast: the input's bytes reinterpreted as attr `type`, no copy of meaning. Equal element
// sizes keep the shape; a wider input gains a last dimension of in/out elements; a narrower one
// must end in a dimension of out/in elements, which goes. Numeric dtypes only.
#include <cstring>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class BitcastKernel final : public OpKernel {
 public:
  explicit BitcastKernel(DataType type) : type_(type) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const size_t in_size = DataTypeSize(x.dtype()), out_size = DataTypeSize(type_);
    if (in_size == 0) {
      return ctx.Error("cannot bitcast from " + DataTypeName(x.dtype()) + ": not a numeric type");
    }
    std::vector<int64_t> dims;
    for (int i = 0; i < x.rank(); ++i) dims.push_back(x.dim(i));
    if (in_size > out_size) {
      dims.push_back(static_cast<int64_t>(in_size / out_size));
    } else if (in_size < out_size) {
      const int64_t ratio = static_cast<int64_t>(out_size / in_size);
      if (dims.empty() || dims.back() != ratio) {
        return ctx.Error("cannot bitcast from " + DataTypeName(x.dtype()) + " to " +
                         DataTypeName(type_) + ": shape " + x.shape().DebugString() +
                         " must end in a dimension of " + std::to_string(ratio));
      }
      dims.pop_back();
    }
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, type_, TensorShape(dims)));
    if (x.byte_size() > 0) std::memcpy(out->flat<char>(), x.flat<char>(), x.byte_size());
    return Status::Ok();
  }

 private:
  const DataType type_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateBitcastKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType type, c.GetTypeAttr("type"));
  if (DataTypeSize(type) == 0) {
    return c.Error("cannot bitcast to " + DataTypeName(type) + ": not a numeric type");
  }
  return std::unique_ptr<OpKernel>(new BitcastKernel(type));
}

}  // namespace tern
