// Fuzz target: raw bytes off a connection through Boost.Beast's request parser set up as
// HttpServer sets it up (string body, body limit, 64 KiB header limit), message after message as
// on a keep-alive connection, reading what the server reads from each request (method, target,
// Content-Encoding, Inference-Header-Content-Length) and gunzipping a gzip body. The bytes
// arrive in pieces of varying size, as reads from a socket do. Parse errors are fine; a crash,
// leak or sanitizer report is a bug.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "server/http/gzip.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr uint64_t kBodyLimit = uint64_t{1} << 20;

// What HttpServer does with a whole request before handing it to a RestHandler.
void Consume(const http::request<http::string_body>& request) {
  volatile size_t sink = request.method_string().size() + request.target().size();
  const auto encoding = request[http::field::content_encoding];
  const auto header_length = request["Inference-Header-Content-Length"];
  sink = sink + header_length.size() + request[http::field::origin].size();
  if (beast::iequals(encoding, "gzip")) {
    auto decoded = tern::GunzipBody(request.body(), kBodyLimit);
    if (decoded.ok()) sink = sink + decoded->size();
  }
  (void)sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte sets the size of the pieces the bytes arrive in (1..256).
  const size_t piece = size_t{data[0]} + 1;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  std::optional<http::request_parser<http::string_body>> parser;
  std::string pending;
  for (int messages = 0; messages < 16; ++messages) {
    if (pending.empty() && input.empty()) return 0;  // the client closed between requests
    parser.emplace();
    parser->body_limit(kBodyLimit);
    parser->header_limit(64 * 1024);
    beast::error_code ec;
    while (!parser->is_done()) {
      if (pending.empty() && input.empty()) {
        if (!parser->got_some()) return 0;
        parser->put_eof(ec);
        if (ec) return 0;
        break;
      }
      const size_t take = std::min(piece, input.size());
      pending.append(input.data(), take);
      input.remove_prefix(take);
      const size_t used = parser->put(boost::asio::buffer(pending.data(), pending.size()), ec);
      pending.erase(0, used);
      if (ec == http::error::need_more) {
        ec = {};
        if (input.empty()) {
          if (!parser->got_some()) return 0;
          parser->put_eof(ec);
          if (ec) return 0;
          break;
        }
        continue;
      }
      if (ec) return 0;  // malformed or too large: the server answers 4xx and closes
    }
    if (!parser->is_done()) return 0;
    Consume(parser->get());
    if (!parser->keep_alive()) return 0;
  }
  return 0;
}
