#include "runtime/format/bundle_coding.h"

namespace tern::bundle_coding {

bool GetVarint64(std::string_view* input, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0, i = 0; shift <= 63 && i < static_cast<int>(input->size()); shift += 7, ++i) {
    const uint64_t byte = static_cast<uint8_t>((*input)[i]);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && byte > 1) return false;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      input->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

bool GetVarint32(std::string_view* input, uint32_t* value) {
  std::string_view copy = *input;
  uint64_t v = 0;
  if (!GetVarint64(&copy, &v) || v > UINT32_MAX || input->size() - copy.size() > 5) return false;
  *value = static_cast<uint32_t>(v);
  *input = copy;
  return true;
}

uint32_t DecodeFixed32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return uint32_t{u[0]} | (uint32_t{u[1]} << 8) | (uint32_t{u[2]} << 16) | (uint32_t{u[3]} << 24);
}

uint64_t DecodeFixed64(const char* p) {
  return uint64_t{DecodeFixed32(p)} | (uint64_t{DecodeFixed32(p + 4)} << 32);
}

namespace {

// OrderedCode, the order-preserving encoding TensorFlow uses for slice keys.

void AppendNumIncreasing(uint64_t v, std::string* out) {
  // A length byte, then the value big-endian in that many bytes (none for zero).
  char buf[8];
  int n = 0;
  for (; v != 0; v >>= 8) buf[n++] = static_cast<char>(v & 0xff);
  out->push_back(static_cast<char>(n));
  while (n > 0) out->push_back(buf[--n]);
}

bool ReadNumIncreasing(std::string_view* in, uint64_t* v) {
  if (in->empty()) return false;
  const size_t n = static_cast<uint8_t>(in->front());
  if (n > 8 || in->size() < n + 1) return false;
  uint64_t r = 0;
  for (size_t i = 1; i <= n; ++i) r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  *v = r;
  in->remove_prefix(n + 1);
  return true;
}

// Strings are escaped so that the terminator "\x00\x01" sorts before any continuation.
void AppendOrderedString(std::string_view s, std::string* out) {
  for (char c : s) {
    if (c == '\0') {
      out->append("\x00\xff", 2);
    } else if (c == '\xff') {
      out->append("\xff\x00", 2);
    } else {
      out->push_back(c);
    }
  }
  out->append("\x00\x01", 2);
}

bool ReadOrderedString(std::string_view* in, std::string* s) {
  s->clear();
  for (size_t i = 0; i + 1 < in->size(); ++i) {
    const char c = (*in)[i];
    const char next = (*in)[i + 1];
    if (c == '\0' && next == '\x01') {
      in->remove_prefix(i + 2);
      return true;
    }
    if (c == '\0' || c == '\xff') {
      if (next != (c == '\0' ? '\xff' : '\0')) return false;
      s->push_back(c);
      ++i;
    } else {
      s->push_back(c);
    }
  }
  return false;
}

// Signed numbers take 1..10 bytes: the two's-complement value, big-endian, with its top
// `length` bits inverted. For a non-negative value the encoding therefore begins with `length`
// ones then a zero, for a negative one with `length` zeros then a one, which both orders the
// encodings like the numbers and tells a reader the length.
uint8_t HeaderMask(int length, int byte_index) {
  const int bits = length - 8 * byte_index;
  if (bits <= 0) return 0;
  if (bits >= 8) return 0xff;
  return static_cast<uint8_t>(0xff << (8 - bits));
}

void AppendSignedNumIncreasing(int64_t v, std::string* out) {
  const uint64_t magnitude = static_cast<uint64_t>(v < 0 ? ~v : v);
  int length = 1;
  // A length-L encoding has 7L-1 bits for the magnitude (plus the sign).
  while (length < 10 && (7 * length - 1) < 64 && (magnitude >> (7 * length - 1)) != 0) ++length;
  const uint64_t bits = static_cast<uint64_t>(v);
  const uint8_t sign_fill = v < 0 ? 0xff : 0x00;
  for (int i = 0; i < length; ++i) {
    const int shift = 8 * (length - 1 - i);
    const uint8_t byte = shift >= 64 ? sign_fill : static_cast<uint8_t>(bits >> shift);
    out->push_back(static_cast<char>(byte ^ HeaderMask(length, i)));
  }
}

int LeadingOnes(uint8_t b) {
  int n = 0;
  while (n < 8 && (b & (0x80 >> n))) ++n;
  return n;
}

bool ReadSignedNumIncreasing(std::string_view* in, int64_t* v) {
  if (in->empty()) return false;
  const uint8_t first = static_cast<uint8_t>((*in)[0]);
  const uint8_t invert = (first & 0x80) ? 0x00 : 0xff;  // negative numbers start with a zero
  int length = LeadingOnes(first ^ invert);
  if (length == 8) {
    if (in->size() < 2) return false;
    length += LeadingOnes(static_cast<uint8_t>((*in)[1]) ^ invert);
  }
  if (length < 1 || length > 10 || in->size() < static_cast<size_t>(length)) return false;
  uint64_t acc = invert ? ~uint64_t{0} : 0;
  for (int i = 0; i < length; ++i) {
    acc = (acc << 8) | (static_cast<uint8_t>((*in)[i]) ^ HeaderMask(length, i));
  }
  *v = static_cast<int64_t>(acc);
  in->remove_prefix(length);
  return true;
}

}  // namespace

std::string EncodeTensorSliceKey(std::string_view name, const std::vector<SliceExtent>& extents) {
  std::string key;
  AppendNumIncreasing(0, &key);
  AppendOrderedString(name, &key);
  AppendNumIncreasing(extents.size(), &key);
  for (const SliceExtent& e : extents) {
    AppendSignedNumIncreasing(e.start, &key);
    AppendSignedNumIncreasing(e.length.value_or(-1), &key);
  }
  return key;
}

std::optional<DecodedSliceKey> DecodeTensorSliceKey(std::string_view key) {
  uint64_t zero = 0;
  uint64_t rank = 0;
  DecodedSliceKey out;
  if (!ReadNumIncreasing(&key, &zero) || zero != 0) return std::nullopt;
  if (!ReadOrderedString(&key, &out.name)) return std::nullopt;
  // A rank beyond what the remaining bytes could hold is garbage, not a huge allocation.
  if (!ReadNumIncreasing(&key, &rank) || rank > key.size() / 2) return std::nullopt;
  for (uint64_t i = 0; i < rank; ++i) {
    SliceExtent e;
    int64_t length = 0;
    if (!ReadSignedNumIncreasing(&key, &e.start) || !ReadSignedNumIncreasing(&key, &length)) {
      return std::nullopt;
    }
    if (length != -1) e.length = length;
    out.extents.push_back(e);
  }
  if (!key.empty()) return std::nullopt;
  return out;
}

}  // namespace tern::bundle_coding
