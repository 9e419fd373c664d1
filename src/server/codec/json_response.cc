// Response writing: predict ({"predictions"} / {"outputs"}), classify, regress and errors, in
// the exact layout TF Serving produces.
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "server/codec/json_internal.h"
#include "server/codec/json_tensor.h"

namespace tern {
namespace {

using json_internal::VisitJsonDtype;

// A streaming JSON writer whose whitespace matches the pretty printer TF Serving uses: each
// object member and array element on its own line, indented 4 spaces per level, "key": value;
// while single-line mode is on, array elements are instead separated by ", " and the closing
// bracket stays on the same line (objects are always multi-line).
class PrettyWriter {
 public:
  void StartObject() {
    Prefix();
    out_ += '{';
    stack_.push_back(Level{false, 0});
  }
  void EndObject() {
    const bool empty = stack_.back().count == 0;
    stack_.pop_back();
    if (!empty) {
      out_ += '\n';
      Indent();
    }
    out_ += '}';
  }
  void StartArray() {
    Prefix();
    out_ += '[';
    stack_.push_back(Level{true, 0});
  }
  void EndArray() {
    const bool empty = stack_.back().count == 0;
    stack_.pop_back();
    if (!empty && !single_line_) {
      out_ += '\n';
      Indent();
    }
    out_ += ']';
  }
  void Key(std::string_view key) { String(key); }
  void String(std::string_view text) {
    Prefix();
    AppendQuoted(text);
  }
  // A number or literal token, written as is.
  void Raw(std::string_view token) {
    Prefix();
    out_ += token;
  }
  void set_single_line_arrays(bool on) { single_line_ = on; }

  std::string Release() { return std::move(out_); }

 private:
  struct Level {
    bool in_array;
    size_t count;  // values written so far (keys count as values in objects)
  };

  void Prefix() {
    if (stack_.empty()) return;
    Level& level = stack_.back();
    if (level.in_array) {
      if (level.count > 0) out_ += single_line_ ? ", " : ",";
      if (!single_line_) {
        out_ += '\n';
        Indent();
      }
    } else if (level.count % 2 == 1) {
      out_ += ": ";
    } else {
      out_ += level.count > 0 ? ",\n" : "\n";
      Indent();
    }
    ++level.count;
  }
  void Indent() { out_.append(stack_.size() * 4, ' '); }

  void AppendQuoted(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out_ += '"';
    for (char c : text) {
      const auto u = static_cast<unsigned char>(c);
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\b': out_ += "\\b"; break;
        case '\f': out_ += "\\f"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
          if (u < 0x20) {
            out_ += "\\u00";
            out_ += kHex[u >> 4];
            out_ += kHex[u & 0xf];
          } else {
            out_ += c;
          }
      }
    }
    out_ += '"';
  }

  std::vector<Level> stack_;
  bool single_line_ = false;
  std::string out_;
};

void WriteBytes(PrettyWriter& writer, std::string_view bytes) {
  writer.StartObject();
  writer.Key("b64");
  writer.String(Base64Encode(bytes));
  writer.EndObject();
}

template <typename T>
void WriteElement(PrettyWriter& writer, const T& value, bool as_bytes) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (as_bytes || !IsValidUtf8(value)) {
      WriteBytes(writer, value);
    } else {
      writer.String(value);
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    writer.Raw(value ? "true" : "false");
  } else if constexpr (std::is_same_v<T, float>) {
    writer.Raw(FormatJsonFloat(value));
  } else if constexpr (json_internal::kIsHalfFloat<T>) {
    // Every half and bfloat16 value is exactly a float; the float's shortest form reads back
    // to the same 16 bits.
    writer.Raw(FormatJsonFloat(static_cast<float>(value)));
  } else if constexpr (std::is_same_v<T, double>) {
    writer.Raw(FormatJsonDouble(value));
  } else {
    static_assert(std::is_integral_v<T>);
    writer.Raw(std::to_string(value));
  }
}

// Writes the part of a tensor below dimension `dim` that starts at element `*offset`, as nested
// lists (a bare value when dim == rank), and advances `*offset` past it.
template <typename T>
void WriteNested(PrettyWriter& writer, const T* data, std::span<const int64_t> dims, size_t dim,
                 bool as_bytes, int64_t* offset) {
  if (dim == dims.size()) {
    WriteElement(writer, data[(*offset)++], as_bytes);
    return;
  }
  writer.StartArray();
  for (int64_t i = 0; i < dims[dim]; ++i) {
    WriteNested(writer, data, dims, dim + 1, as_bytes, offset);
  }
  writer.EndArray();
}

void WriteTensorPart(PrettyWriter& writer, const std::string& name, const Tensor& tensor,
                     size_t dim, int64_t* offset) {
  const bool as_bytes = tensor.dtype() == tensorflow::DT_STRING && name.size() >= 6 &&
                        name.compare(name.size() - 6, 6, "_bytes") == 0;
  // The dtype was checked by the caller, so this cannot fail.
  (void)VisitJsonDtype(tensor.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    WriteNested(writer, tensor.flat<T>(), tensor.shape().dims(), dim, as_bytes, offset);
    return Status::Ok();
  });
}

Status CheckOutputs(const std::map<std::string, Tensor>& outputs, JsonFormat format) {
  if (outputs.empty()) return InvalidArgument("the model returned no outputs to write");
  int64_t batch = -1;
  const std::string* batch_from = nullptr;
  for (const auto& [name, tensor] : outputs) {
    Status status = VisitJsonDtype(tensor.dtype(), [](auto) { return Status::Ok(); });
    if (!status.ok()) return Status(status.code(), "output '" + name + "': " + status.message());
    if (format != JsonFormat::kRow) continue;
    if (tensor.rank() == 0) {
      return InvalidArgument("output '" + name +
                             "' is a scalar, but a row-format ('instances') response needs a "
                             "batch dimension 0 in every output; use 'inputs' (columnar format)");
    }
    if (batch_from != nullptr && tensor.dim(0) != batch) {
      return InvalidArgument("output '" + name + "' has batch size " +
                             std::to_string(tensor.dim(0)) + " but output '" + *batch_from +
                             "' has " + std::to_string(batch) +
                             "; a row-format ('instances') response needs all outputs to share "
                             "dimension 0; use 'inputs' (columnar format)");
    }
    batch = tensor.dim(0);
    batch_from = &name;
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> WritePredictResponse(const std::map<std::string, Tensor>& outputs,
                                           JsonFormat format) {
  TERN_RETURN_IF_ERROR(CheckOutputs(outputs, format));
  const bool named = outputs.size() > 1;
  PrettyWriter writer;
  writer.StartObject();
  if (format == JsonFormat::kRow) {
    writer.Key("predictions");
    writer.StartArray();
    const int64_t batch = outputs.begin()->second.dim(0);
    std::vector<int64_t> offsets(outputs.size(), 0);
    for (int64_t row = 0; row < batch; ++row) {
      if (named) writer.StartObject();
      writer.set_single_line_arrays(true);
      size_t k = 0;
      for (const auto& [name, tensor] : outputs) {
        if (named) writer.Key(name);
        WriteTensorPart(writer, name, tensor, 1, &offsets[k++]);
      }
      writer.set_single_line_arrays(false);
      if (named) writer.EndObject();
    }
    writer.EndArray();
  } else {
    writer.Key("outputs");
    if (named) writer.StartObject();
    for (const auto& [name, tensor] : outputs) {
      if (named) writer.Key(name);
      int64_t offset = 0;
      WriteTensorPart(writer, name, tensor, 0, &offset);
    }
    if (named) writer.EndObject();
  }
  writer.EndObject();
  return writer.Release();
}

std::string WriteRegressResponse(const std::vector<float>& values) {
  PrettyWriter writer;
  writer.StartObject();
  writer.Key("results");
  writer.set_single_line_arrays(true);
  writer.StartArray();
  for (float value : values) writer.Raw(FormatJsonFloat(value));
  writer.EndArray();
  writer.set_single_line_arrays(false);
  writer.EndObject();
  return writer.Release();
}

std::string WriteClassifyResponse(const std::vector<LabelScores>& results) {
  PrettyWriter writer;
  writer.StartObject();
  writer.Key("results");
  writer.StartArray();
  for (const LabelScores& classes : results) {
    writer.set_single_line_arrays(true);
    writer.StartArray();
    for (const auto& [label, score] : classes) {
      writer.StartArray();
      writer.String(label);
      writer.Raw(FormatJsonFloat(score));
      writer.EndArray();
    }
    writer.EndArray();
    writer.set_single_line_arrays(false);
  }
  writer.EndArray();
  writer.EndObject();
  return writer.Release();
}

std::string WriteErrorResponse(std::string_view message) {
  PrettyWriter writer;
  writer.StartObject();
  writer.Key("error");
  writer.String(message);
  writer.EndObject();
  return writer.Release();
}

}  // namespace tern
