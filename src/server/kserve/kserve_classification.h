// Triton's classification extension: an output requested with `classification: k` is answered
// as the top k of its values, each a BYTES string "value:index[:label]" (value printed as C++'s
// std::to_string prints it, index into the row, label when the model has one). For a model that
// batches (every input and output has a leading dimension of unknown size) each row is
// classified on its own and the answer is [batch, min(k, row size)]; otherwise the whole tensor
// is one row and the answer is [min(k, size)]. Labels are read from the version's directory:
// assets.extra/<output>_labels.txt, else assets.extra/labels.txt, one label per line, line i
// for index i (Triton reads the label_filename its config.pbtxt names; a SavedModel has no
// config.pbtxt, so Tern looks in assets.extra, where TF Serving keeps a version's extra files).
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/tensor.h"

namespace tern {

// The top `k` (>= 1) of `scores`, as above. INVALID_ARGUMENT naming the output for a datatype
// that has no order Triton classifies (BOOL, BYTES, FP16, BF16) or a batched tensor of rank 0.
// labels: index -> label (nullable; an index past the end has no label).
StatusOr<Tensor> Classify(const Tensor& scores, int64_t k, bool batched,
                          const std::vector<std::string>* labels, const std::string& output_name);

// The label files of loaded versions, read once per file and kept (a version's files do not
// change while it is loaded).
class ClassificationLabels {
 public:
  using Labels = std::shared_ptr<const std::vector<std::string>>;
  // The labels for `output` of the version in `version_dir`; null when it has no label file.
  StatusOr<Labels> For(const std::string& version_dir, const std::string& output);

 private:
  std::mutex mu_;
  std::map<std::string, Labels> by_file_;  // file path -> its labels (null: no such file)
};

}  // namespace tern
