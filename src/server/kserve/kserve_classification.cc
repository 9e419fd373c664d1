#include "server/kserve/kserve_classification.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>

namespace tern {
namespace {

template <typename T>
void TopK(const T* values, int64_t count, int64_t k, const std::vector<std::string>* labels,
          std::string* out) {
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  // Stable: equal values keep index order, so an answer does not depend on the sort.
  std::stable_sort(order.begin(), order.end(),
                   [values](int64_t a, int64_t b) { return values[a] > values[b]; });
  for (int64_t i = 0; i < k; ++i) {
    const int64_t index = order[static_cast<size_t>(i)];
    std::string& s = out[i];
    s = std::to_string(values[index]) + ":" + std::to_string(index);
    if (labels != nullptr && index < static_cast<int64_t>(labels->size())) {
      s += ":" + (*labels)[static_cast<size_t>(index)];
    }
  }
}

template <typename T>
void ClassifyRows(const Tensor& scores, int64_t rows, int64_t row_size, int64_t k,
                  const std::vector<std::string>* labels, Tensor* out) {
  const T* values = scores.flat<T>();
  std::string* strings = out->flat<std::string>();
  for (int64_t r = 0; r < rows; ++r) {
    TopK(values + r * row_size, row_size, k, labels, strings + r * k);
  }
}

}  // namespace

StatusOr<Tensor> Classify(const Tensor& scores, int64_t k, bool batched,
                          const std::vector<std::string>* labels, const std::string& output_name) {
  if (k < 1) {
    return InvalidArgument("output '" + output_name + "': classification must be at least 1, got " +
                           std::to_string(k));
  }
  if (batched && scores.rank() < 1) {
    return InvalidArgument("output '" + output_name +
                           "': classification of a batched output needs a batch dimension, got a "
                           "scalar");
  }
  const int64_t rows = batched ? scores.dim(0) : 1;
  const int64_t row_size = rows == 0 ? 0 : scores.num_elements() / rows;
  const int64_t top = std::min(k, row_size);
  std::vector<int64_t> dims;
  if (batched) dims.push_back(rows);
  dims.push_back(top);
  Tensor out(tensorflow::DT_STRING, TensorShape(dims));
  switch (scores.dtype()) {
#define TERN_CLASSIFY_CASE(DT, T) \
  case tensorflow::DT: ClassifyRows<T>(scores, rows, row_size, top, labels, &out); return out;
    TERN_CLASSIFY_CASE(DT_FLOAT, float)
    TERN_CLASSIFY_CASE(DT_DOUBLE, double)
    TERN_CLASSIFY_CASE(DT_INT8, int8_t)
    TERN_CLASSIFY_CASE(DT_INT16, int16_t)
    TERN_CLASSIFY_CASE(DT_INT32, int32_t)
    TERN_CLASSIFY_CASE(DT_INT64, int64_t)
    TERN_CLASSIFY_CASE(DT_UINT8, uint8_t)
    TERN_CLASSIFY_CASE(DT_UINT16, uint16_t)
    TERN_CLASSIFY_CASE(DT_UINT32, uint32_t)
    TERN_CLASSIFY_CASE(DT_UINT64, uint64_t)
#undef TERN_CLASSIFY_CASE
    default:
      return InvalidArgument("output '" + output_name + "': classification is not available for " +
                             DataTypeName(scores.dtype()) +
                             " (only integer, FP32 and FP64 outputs)");
  }
}

StatusOr<ClassificationLabels::Labels> ClassificationLabels::For(const std::string& version_dir,
                                                                 const std::string& output) {
  namespace fs = std::filesystem;
  const fs::path extra = fs::path(version_dir) / "assets.extra";
  for (const fs::path& file : {extra / (output + "_labels.txt"), extra / "labels.txt"}) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = by_file_.find(file.string()); it != by_file_.end()) {
        if (it->second) return it->second;
        continue;
      }
    }
    Labels labels;
    std::error_code ec;
    if (fs::is_regular_file(file, ec)) {
      std::ifstream in(file);
      if (!in) return Internal("cannot read the label file " + file.string());
      auto lines = std::make_shared<std::vector<std::string>>();
      for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines->push_back(std::move(line));
      }
      labels = std::move(lines);
    }
    std::lock_guard<std::mutex> lock(mu_);
    by_file_[file.string()] = labels;
    if (labels) return labels;
  }
  return Labels();
}

}  // namespace tern
