#include "server/http/http2_stream.h"

#include <algorithm>
#include <cstring>

namespace tern {

size_t OutboundBody::Take(uint8_t* out, size_t capacity) {
  const size_t n = std::min(capacity, pending());
  std::memcpy(out, bytes.data() + sent, n);
  sent += n;
  if (sent == bytes.size()) {
    bytes.clear();
    sent = 0;
  } else if (sent > (1u << 20)) {  // keep a long stream's buffer from growing without end
    bytes.erase(0, sent);
    sent = 0;
  }
  return n;
}

void OutboundBody::Append(const uint8_t* data, size_t size) {
  bytes.append(reinterpret_cast<const char*>(data), size);
}

}  // namespace tern
