// Building blocks shared by the JSON codec: number formatting, base64, UTF-8 checks and the
// body parser. The predict request parser lives in json_request.cc, the classify/regress one in
// json_examples.cc, the response writers in json_response.cc.
#include "server/codec/json_tensor.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>
#include <vector>

#include "server/codec/json_internal.h"

namespace tern {
namespace {

// printf("%.<precision>g", value), locale-independent.
template <typename T>
std::string FormatGeneral(T value, int precision) {
  std::array<char, 64> buf;
  auto result = std::to_chars(buf.data(), buf.data() + buf.size(), value,
                              std::chars_format::general, precision);
  return std::string(buf.data(), result.ptr);
}

template <typename T>
bool ParsesBackTo(const std::string& text, T value) {
  T parsed{};
  auto result = std::from_chars(text.data(), text.data() + text.size(), parsed);
  return result.ec == std::errc() && result.ptr == text.data() + text.size() && parsed == value;
}

template <typename T>
std::string FormatDecimal(T value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return std::signbit(value) ? "-Infinity" : "Infinity";
  // TF Serving: six significant digits when they round-trip, else enough to round-trip.
  std::string text = FormatGeneral(value, 6);
  if (!ParsesBackTo(text, value)) {
    text = FormatGeneral(value, std::numeric_limits<T>::max_digits10);
  }
  // Whole numbers keep a ".0" so that a list of them still reads as decimals.
  if (text.find('.') == std::string::npos && text.find('e') == std::string::npos) {
    text += ".0";
  }
  return text;
}

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 0..63 for an alphabet character, -1 otherwise.
constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kBase64Alphabet[i])] = i;
  return table;
}
constexpr std::array<int8_t, 256> kBase64Table = MakeBase64Table();

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::string FormatJsonFloat(float value) { return FormatDecimal(value); }
std::string FormatJsonDouble(double value) { return FormatDecimal(value); }

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += kBase64Alphabet[n & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  uint32_t accumulator = 0;
  int sextets = 0;  // data characters seen
  int padding = 0;  // '=' seen
  for (char c : text) {
    if (IsAsciiSpace(c)) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int8_t v = kBase64Table[static_cast<unsigned char>(c)];
    if (v < 0 || padding > 0) return std::nullopt;  // bad character, or data after padding
    accumulator = (accumulator << 6) | static_cast<uint32_t>(v);
    if (++sextets % 4 == 0) {
      out += static_cast<char>((accumulator >> 16) & 0xff);
      out += static_cast<char>((accumulator >> 8) & 0xff);
      out += static_cast<char>(accumulator & 0xff);
      accumulator = 0;
    }
  }
  const int tail = sextets % 4;
  if (tail == 1) return std::nullopt;
  if (padding > 0 && (tail == 0 || tail + padding != 4)) return std::nullopt;
  if (tail == 2) {
    out += static_cast<char>((accumulator >> 4) & 0xff);
  } else if (tail == 3) {
    out += static_cast<char>((accumulator >> 10) & 0xff);
    out += static_cast<char>((accumulator >> 2) & 0xff);
  }
  return out;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    uint32_t code;
    uint32_t min;
    if ((c & 0xe0) == 0xc0) {
      extra = 1, code = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, code = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, code = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (n - i <= static_cast<size_t>(extra)) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      code = (code << 6) | (cc & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += static_cast<size_t>(extra) + 1;
  }
  return true;
}

namespace json_internal {
namespace {

// A NaN/Infinity token found in a request body: which number token it is (counting every
// number token of the body in document order) and the value it stands for.
struct NonFiniteToken {
  size_t ordinal;
  double value;
};

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

// nlohmann/json rejects NaN and Infinity. Every such token outside a string is overwritten in
// `rewritten` (a copy of body, made on the first hit) by a plain number of the same length, so
// that byte offsets in parse errors stay right, and recorded in `tokens`; the parse callback
// then swaps the real value in. Counting number tokens is what ties the two passes together.
void RewriteNonFiniteTokens(std::string_view body, std::string* rewritten,
                            std::vector<NonFiniteToken>* tokens) {
  size_t ordinal = 0;
  size_t i = 0;
  const size_t n = body.size();
  while (i < n) {
    const char c = body[i];
    if (c == '"') {
      for (++i; i < n && body[i] != '"'; ++i) {
        if (body[i] == '\\') ++i;
      }
      ++i;
      continue;
    }
    const size_t word = (c == '-') ? i + 1 : i;
    if (word < n && (body[word] == 'N' || body[word] == 'I')) {
      const std::string_view rest = body.substr(word);
      size_t length = 0;
      double value = 0;
      if (rest.substr(0, 3) == "NaN") {
        length = 3, value = std::numeric_limits<double>::quiet_NaN();
      } else if (rest.substr(0, 8) == "Infinity") {
        length = 8, value = std::numeric_limits<double>::infinity();
      } else if (rest.substr(0, 3) == "Inf") {
        length = 3, value = std::numeric_limits<double>::infinity();
      }
      if (length == 0) {  // not ours; the parser reports it
        i = word + 1;
        continue;
      }
      if (rewritten->empty()) rewritten->assign(body);
      char* out = rewritten->data() + word;
      out[0] = '0';
      out[1] = 'e';
      for (size_t k = 2; k < length; ++k) out[k] = '0';
      tokens->push_back({ordinal++, c == '-' ? -value : value});
      i = word + length;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      ++ordinal;
      for (++i; i < n && IsNumberChar(body[i]); ++i) {
      }
      continue;
    }
    ++i;
  }
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; drop that.
std::string CleanMessage(const char* what) {
  std::string_view text(what);
  if (!text.empty() && text.front() == '[') {
    const size_t end = text.find("] ");
    if (end != std::string_view::npos) text.remove_prefix(end + 2);
  }
  return std::string(text);
}

}  // namespace

StatusOr<Json> ParseJsonObject(std::string_view body) {
  if (body.empty()) return InvalidArgument("JSON parse error: the request body is empty");
  std::string rewritten;
  std::vector<NonFiniteToken> tokens;
  if (std::memchr(body.data(), 'N', body.size()) != nullptr ||
      std::memchr(body.data(), 'I', body.size()) != nullptr) {
    RewriteNonFiniteTokens(body, &rewritten, &tokens);
  }
  Json doc;
  try {
    if (tokens.empty()) {
      doc = Json::parse(body.begin(), body.end());
    } else {
      size_t ordinal = 0;
      size_t next = 0;
      Json::parser_callback_t callback = [&](int /*depth*/, Json::parse_event_t event,
                                             Json& parsed) {
        if (event == Json::parse_event_t::value && parsed.is_number()) {
          if (next < tokens.size() && tokens[next].ordinal == ordinal) {
            parsed = tokens[next++].value;
          }
          ++ordinal;
        }
        return true;
      };
      doc = Json::parse(rewritten.begin(), rewritten.end(), callback);
    }
  } catch (const Json::parse_error& e) {
    const size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    return InvalidArgument("JSON parse error at byte offset " + std::to_string(offset) + ": " +
                           CleanMessage(e.what()));
  } catch (const Json::exception& e) {
    return InvalidArgument("JSON parse error: " + CleanMessage(e.what()));
  }
  if (!doc.is_object()) {
    return InvalidArgument("the request body must be a JSON object, got " + JsonKind(doc));
  }
  return doc;
}

bool IsBase64Object(const Json& value) {
  if (!value.is_object() || value.size() != 1) return false;
  const auto it = value.find("b64");
  return it != value.end() && it->is_string();
}

std::string JsonKind(const Json& value) {
  switch (value.type()) {
    case Json::value_t::string: return "string";
    case Json::value_t::number_float: return "decimal number";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "list";
    default: return "value";
  }
}

std::string JsonSnippet(const Json& value) {
  constexpr size_t kMaxLength = 64;
  std::string text;
  if (value.is_number_float()) {
    text = FormatJsonDouble(value.get<double>());
  } else {
    try {
      text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    } catch (const Json::exception&) {
      text = "<" + JsonKind(value) + ">";
    }
  }
  if (text.size() > kMaxLength) text = text.substr(0, kMaxLength) + "...";
  return text;
}

StatusOr<std::string> ReadSignatureName(const Json& doc) {
  const auto it = doc.find("signature_name");
  if (it == doc.end()) return std::string();
  if (!it->is_string()) {
    return InvalidArgument("'signature_name' must be a string, got " + JsonKind(*it));
  }
  return it->get<std::string>();
}

}  // namespace json_internal
}  // namespace tern
