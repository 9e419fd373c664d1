#include "h2_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace tern::testing {
namespace {

bool SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::string Base64Url(const uint8_t* data, size_t size) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (size_t i = 0; i < size; ++i) {
    bits = (bits << 8) | data[i];
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  return out;
}

}  // namespace

int H2Response::status() const {
  auto found = headers.find(":status");
  return found == headers.end() ? 0 : std::stoi(found->second);
}

struct H2Client::Callbacks {
  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t name_length, const uint8_t* value, size_t value_length, uint8_t,
                      void* user) {
    auto* self = static_cast<H2Client*>(user);
    H2Response& response = self->responses[frame->hd.stream_id];
    auto& block = frame->headers.cat == NGHTTP2_HCAT_HEADERS ? response.trailers : response.headers;
    block[std::string(reinterpret_cast<const char*>(name), name_length)] =
        std::string(reinterpret_cast<const char*>(value), value_length);
    return 0;
  }
  static int OnData(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t size,
                    void* user) {
    static_cast<H2Client*>(user)->responses[id].body.append(reinterpret_cast<const char*>(data),
                                                            size);
    return 0;
  }
  static int OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto* self = static_cast<H2Client*>(user);
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      self->goaway_received = true;
      self->goaway_error = frame->goaway.error_code;
    }
    if (frame->hd.type == NGHTTP2_RST_STREAM) {
      self->responses[frame->hd.stream_id].reset_code = frame->rst_stream.error_code;
    }
    return 0;
  }
  static int OnClose(nghttp2_session*, int32_t id, uint32_t error_code, void* user) {
    auto* self = static_cast<H2Client*>(user);
    H2Response& response = self->responses[id];
    response.closed = true;
    if (error_code != 0) response.reset_code = error_code;
    --self->open_streams_;
    return 0;
  }
  static ssize_t ReadBody(nghttp2_session*, int32_t id, uint8_t* buffer, size_t length,
                          uint32_t* flags, nghttp2_data_source*, void* user) {
    auto& [bytes, sent] = static_cast<H2Client*>(user)->bodies_[id];
    const size_t n = std::min(length, bytes.size() - sent);
    std::memcpy(buffer, bytes.data() + sent, n);
    sent += n;
    if (sent == bytes.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
};

H2Client::H2Client(int port, const std::string& upgrade_path) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return;
  int on = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));

  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &Callbacks::OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Callbacks::OnData);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Callbacks::OnFrame);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Callbacks::OnClose);
  // Lets a test send a header block larger than nghttp2 would by default (64 KiB), to see the
  // server refuse it.
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_max_send_header_block_length(option, 1 << 20);
  nghttp2_session_client_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);

  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
  if (upgrade_path.empty()) {
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 1);
    return;
  }
  uint8_t payload[16];
  const ssize_t length = nghttp2_pack_settings_payload(payload, sizeof(payload), settings, 1);
  const std::string request = "GET " + upgrade_path +
                              " HTTP/1.1\r\nHost: test\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                              "Upgrade: h2c\r\nHTTP2-Settings: " +
                              Base64Url(payload, static_cast<size_t>(length)) + "\r\n\r\n";
  SendAll(fd_, request.data(), request.size());
  // The 101 and its blank line, read a byte at a time so no HTTP/2 frame is taken with them.
  std::string head;
  char c;
  while (head.find("\r\n\r\n") == std::string::npos && ::recv(fd_, &c, 1, 0) == 1) head += c;
  upgrade_status_line_ = head.substr(0, head.find("\r\n"));
  nghttp2_session_upgrade2(session_, payload, static_cast<size_t>(length), 0, nullptr);
  ++open_streams_;
  responses[1];
}

H2Client::~H2Client() {
  if (session_ != nullptr) nghttp2_session_del(session_);
  if (fd_ >= 0) ::close(fd_);
}

int32_t H2Client::Submit(const std::string& method, const std::string& path,
                         std::vector<std::pair<std::string, std::string>> headers,
                         std::string body) {
  headers.insert(
      headers.begin(),
      {{":method", method}, {":scheme", "http"}, {":authority", "test"}, {":path", path}});
  std::vector<nghttp2_nv> nvs;
  for (auto& [name, value] : headers) {
    nvs.push_back({reinterpret_cast<uint8_t*>(name.data()),
                   reinterpret_cast<uint8_t*>(value.data()), name.size(), value.size(),
                   NGHTTP2_NV_FLAG_NONE});
  }
  nghttp2_data_provider provider{};
  provider.read_callback = &Callbacks::ReadBody;
  const bool has_body = !body.empty();
  const int32_t id = nghttp2_submit_request(session_, nullptr, nvs.data(), nvs.size(),
                                            has_body ? &provider : nullptr, nullptr);
  if (id > 0) {
    if (has_body) bodies_[id] = {std::move(body), 0};
    ++open_streams_;
    responses[id];
  }
  return id;
}

void H2Client::Reset(int32_t stream_id, uint32_t error_code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code);
}

void H2Client::SendRaw(const std::string& bytes) {
  FlushOut();
  SendAll(fd_, bytes.data(), bytes.size());
}

bool H2Client::FlushOut() {
  for (;;) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) return n == 0;
    if (!SendAll(fd_, reinterpret_cast<const char*>(data), static_cast<size_t>(n))) return false;
  }
}

// One round: send what is queued, then wait up to timeout_ms for bytes and feed them.
bool H2Client::Exchange(int timeout_ms) {
  if (!FlushOut()) {
    connection_closed = true;
    return false;
  }
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return true;
  char buffer[16384];
  const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
  if (n <= 0) {
    connection_closed = true;
    return false;
  }
  if (nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(buffer),
                               static_cast<size_t>(n)) < 0) {
    connection_closed = true;
    return false;
  }
  return true;
}

bool H2Client::RunUntilStreamsClosed(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (open_streams_ > 0 && std::chrono::steady_clock::now() < deadline) {
    if (!Exchange(20)) return open_streams_ == 0;
  }
  FlushOut();
  return open_streams_ == 0;
}

bool H2Client::RunUntilConnectionClosed(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!connection_closed && std::chrono::steady_clock::now() < deadline) Exchange(20);
  return connection_closed;
}

std::string GrpcFrame(const std::string& message) {
  std::string framed(5, '\0');
  const uint32_t length = htonl(static_cast<uint32_t>(message.size()));
  std::memcpy(framed.data() + 1, &length, 4);
  return framed + message;
}

}  // namespace tern::testing
