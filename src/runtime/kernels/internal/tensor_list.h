// TensorList: the value of a DT_VARIANT scalar made by the TensorList* ops (Keras LSTM/GRU
// loops read their inputs from one and write their outputs to another).
//
// Representation: an immutable TensorList, the value of a DT_VARIANT scalar Tensor.
// Elements are ordinary Tensors, so they share buffers with the tensors they were made from
// (TensorListFromTensor slices are copies of rows, but SetItem stores the item as is); an
// element never written is an uninitialised Tensor and reads as zeros of the element shape,
// as in TensorFlow. "Modifying" ops (SetItem) build a new list that shares every element but
// the one set, so a list seen by another iteration or request never changes. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/tensor.h"

namespace tern {

// A shape that may be partly unknown: unknown rank, or dims of -1.
struct PartialShape {
  bool known_rank = false;
  std::vector<int64_t> dims;

  bool FullyDefined() const;
  // TensorFlow's notation: "<unknown>", "[2,?]".
  std::string DebugString() const;
  bool CompatibleWith(const TensorShape& shape) const;
};

class TensorList final : public Resource {
 public:
  std::string TypeName() const override { return "TensorList"; }

  DataType element_dtype = tensorflow::DT_INVALID;
  PartialShape element_shape;
  std::vector<Tensor> elements;
};

// A DT_VARIANT tensor holding `list`.
Tensor TensorListTensor(std::shared_ptr<const TensorList> list);

// Input i as a TensorList, or INVALID_ARGUMENT naming what it is instead.
StatusOr<const TensorList*> TensorListInput(const KernelContext& ctx, int i);

// Reads an element_shape input: a scalar -1 (unknown rank) or a 1-D int32/int64 tensor whose
// -1 entries are unknown dims.
Status ReadPartialShape(const KernelContext& ctx, const Tensor& t, PartialShape* out);

// The merge of two partial shapes, or INVALID_ARGUMENT if they disagree.
StatusOr<PartialShape> MergeShapes(const KernelContext& ctx, const PartialShape& a,
                                   const PartialShape& b);

// The element_dtype attr, checked against the list where one is given.
Status CheckElementDtype(const KernelContext& ctx, const TensorList& list, DataType expected);

}  // namespace tern
