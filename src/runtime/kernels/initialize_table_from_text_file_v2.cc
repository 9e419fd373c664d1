// InitializeTableFromTextFileV2: fills a hash table from a text file (a vocabulary asset), one
// entry per line. key_index / value_index pick a column split on `delimiter` (one character),
// or -1 for the line number (plus `offset`, int64) or -2 for the whole line (string). vocab_size
// >= 0 reads only that many lines and requires at least that many. A missing file, an empty
// line, too few columns or a field that does not parse as the table's dtype fails the load
// naming the file and line.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>

#include "runtime/kernels/internal/resource_input.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

constexpr int64_t kLineNumber = -1;
constexpr int64_t kWholeLine = -2;

struct TextFileOptions {
  int64_t key_index = 0;
  int64_t value_index = 0;
  int64_t vocab_size = -1;
  char delimiter = '\t';
  int64_t offset = 0;
};

// Parses `field` as element `i` of `out` (the table's key or value dtype).
bool ParseField(const std::string& field, Tensor& out, int64_t i) {
  if (field.empty() && out.dtype() != tensorflow::DT_STRING) return false;
  const char* begin = field.c_str();
  char* end = nullptr;
  errno = 0;
  switch (out.dtype()) {
    case tensorflow::DT_STRING: out.flat<std::string>()[i] = field; return true;
    case tensorflow::DT_INT64: {
      const long long v = std::strtoll(begin, &end, 10);
      if (errno != 0 || *end != '\0') return false;
      out.flat<int64_t>()[i] = v;
      return true;
    }
    case tensorflow::DT_INT32: {
      const long long v = std::strtoll(begin, &end, 10);
      if (errno != 0 || *end != '\0' || v < std::numeric_limits<int32_t>::min() ||
          v > std::numeric_limits<int32_t>::max()) {
        return false;
      }
      out.flat<int32_t>()[i] = static_cast<int32_t>(v);
      return true;
    }
    case tensorflow::DT_FLOAT: {
      const float v = std::strtof(begin, &end);
      if (*end != '\0') return false;
      out.flat<float>()[i] = v;
      return true;
    }
    case tensorflow::DT_DOUBLE: {
      const double v = std::strtod(begin, &end);
      if (*end != '\0') return false;
      out.flat<double>()[i] = v;
      return true;
    }
    default: return false;
  }
}

bool SetLineNumber(int64_t number, Tensor& out, int64_t i) {
  if (out.dtype() == tensorflow::DT_INT64) {
    out.flat<int64_t>()[i] = number;
    return true;
  }
  if (out.dtype() == tensorflow::DT_INT32) {
    out.flat<int32_t>()[i] = static_cast<int32_t>(number);
    return true;
  }
  return false;
}

std::vector<std::string> Split(const std::string& line, char delimiter) {
  std::vector<std::string> tokens;
  size_t start = 0;
  while (true) {
    const size_t at = line.find(delimiter, start);
    tokens.push_back(line.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return tokens;
    start = at + 1;
  }
}

class InitializeTableFromTextFileKernel final : public OpKernel {
 public:
  explicit InitializeTableFromTextFileKernel(TextFileOptions options) : options_(options) {}

  Status Compute(KernelContext& ctx) const override {
    TERN_ASSIGN_OR_RETURN(LookupTable * table, TableInput(ctx, 0));
    const Tensor& filename_t = ctx.input(1);
    if (filename_t.dtype() != tensorflow::DT_STRING || filename_t.num_elements() != 1) {
      return ctx.Error("filename must be a string scalar, got " + filename_t.DebugString());
    }
    const std::string& filename = filename_t.flat<std::string>()[0];
    std::vector<std::string> lines;
    TERN_RETURN_IF_ERROR(ReadLines(ctx, filename, &lines));
    const int64_t n = static_cast<int64_t>(lines.size());
    Tensor keys(table->key_dtype(), TensorShape{n});
    Tensor values(table->value_dtype(), TensorShape{n});
    const int64_t needed_columns = std::max(options_.key_index, options_.value_index) + 1;
    for (int64_t i = 0; i < n; ++i) {
      const std::string& line = lines[i];
      std::vector<std::string> tokens;
      if (needed_columns > 0) {
        tokens = Split(line, options_.delimiter);
        if (static_cast<int64_t>(tokens.size()) < needed_columns) {
          return ctx.Error("Invalid number of columns in " + filename + " line " +
                           std::to_string(i) + " (" + line + ") : expected at least " +
                           std::to_string(needed_columns) + " got " +
                           std::to_string(tokens.size()));
        }
      }
      for (auto [index, out] : {std::pair<int64_t, Tensor*>{options_.key_index, &keys},
                                std::pair<int64_t, Tensor*>{options_.value_index, &values}}) {
        bool ok;
        std::string field;
        if (index == kLineNumber) {
          ok = SetLineNumber(i + options_.offset, *out, i);
          field = std::to_string(i + options_.offset);
        } else if (index == kWholeLine) {
          field = line;
          ok = ParseField(line, *out, i);
        } else {
          field = tokens[index];
          ok = ParseField(field, *out, i);
        }
        if (!ok) {
          return ctx.Error("Field " + field + " in line " + std::to_string(i) + " of " + filename +
                           " is not a valid " + DataTypeName(out->dtype()) + ".");
        }
      }
    }
    Status status = table->Initialize(keys, values);
    if (!status.ok()) {
      return status.WithContext("node '" + ctx.node_name() + "' (op " + ctx.op() + "), file " +
                                filename);
    }
    return Status::Ok();
  }

 private:
  Status ReadLines(KernelContext& ctx, const std::string& filename,
                   std::vector<std::string>* lines) const {
    std::ifstream in(filename, std::ios::binary);
    if (!in) {
      return ctx.Error("cannot open vocabulary file " + filename + ": " + std::strerror(errno));
    }
    std::string line;
    while ((options_.vocab_size < 0 || static_cast<int64_t>(lines->size()) < options_.vocab_size) &&
           std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) {
        return ctx.Error("Invalid content in " + filename + ": empty line found at line " +
                         std::to_string(lines->size()));
      }
      lines->push_back(line);
    }
    if (options_.vocab_size >= 0 && static_cast<int64_t>(lines->size()) < options_.vocab_size) {
      return ctx.Error("Invalid vocab_size in " + filename + ": expected " +
                       std::to_string(options_.vocab_size) + " but got " +
                       std::to_string(lines->size()));
    }
    return Status::Ok();
  }

  const TextFileOptions options_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateInitializeTableFromTextFileV2Kernel(
    const KernelConstruction& c) {
  TextFileOptions options;
  TERN_ASSIGN_OR_RETURN(options.key_index, c.GetIntAttr("key_index"));
  TERN_ASSIGN_OR_RETURN(options.value_index, c.GetIntAttr("value_index"));
  if (c.HasAttr("vocab_size")) {
    TERN_ASSIGN_OR_RETURN(options.vocab_size, c.GetIntAttr("vocab_size"));
  }
  if (c.HasAttr("offset")) {
    TERN_ASSIGN_OR_RETURN(options.offset, c.GetIntAttr("offset"));
  }
  const std::string delimiter = c.GetStringAttrOr("delimiter", "\t");
  if (delimiter.size() != 1) {
    return c.Error("delimiter must be one character, got '" + delimiter + "'");
  }
  options.delimiter = delimiter[0];
  for (int64_t index : {options.key_index, options.value_index}) {
    if (index < kWholeLine) {
      return c.Error("key_index and value_index must be >= -2, got " + std::to_string(index));
    }
  }
  if (options.vocab_size < -1 || options.vocab_size == 0) {
    return c.Error("vocab_size must be -1 or positive, got " + std::to_string(options.vocab_size));
  }
  return std::unique_ptr<OpKernel>(new InitializeTableFromTextFileKernel(options));
}

}  // namespace tern
