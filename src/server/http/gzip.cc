#include "server/http/gzip.h"

#include <zlib.h>

namespace tern {

StatusOr<std::string> GunzipBody(std::string_view compressed, uint64_t max_decoded_bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return Internal("zlib inflateInit2 failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char chunk[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      const std::string why = stream.msg != nullptr ? stream.msg : "truncated or corrupt data";
      inflateEnd(&stream);
      return InvalidArgument("cannot decode the gzip request body (Content-Encoding: gzip): " +
                             why);
    }
    out.append(chunk, sizeof(chunk) - stream.avail_out);
    if (out.size() > max_decoded_bytes) {
      inflateEnd(&stream);
      return ResourceExhausted("the gzip request body decodes to more than " +
                               std::to_string(max_decoded_bytes) + " bytes (--max_request_bytes)");
    }
    if (rc != Z_STREAM_END && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      return InvalidArgument(
          "cannot decode the gzip request body (Content-Encoding: gzip): it is truncated");
    }
  }
  inflateEnd(&stream);
  return out;
}

}  // namespace tern
