// Fuzz target: a KServe v2 REST infer request through SplitInferBody and ParseInferBody, as
// KServeRestApi::Infer reads one before running the model: the JSON header with 'data' tensors,
// the binary tensor extension (the input's first line is the Inference-Header-Content-Length
// value, the rest the body) and Triton shared memory (a 256-byte region is registered as
// "region"). Any Status is fine; a crash, leak or sanitizer report is a bug.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_memory.h"
#include "server/kserve/kserve_rest_infer_request.h"

namespace {

// Elements per tensor beyond which the parser refuses before allocating; smaller than the
// server's default so the fuzzer's own memory limit is not what stops a huge declared shape.
constexpr int64_t kMaxElements = int64_t{1} << 20;

const tern::SharedMemoryRegistry& Registry() {
  static tern::SharedMemoryRegistry* registry = [] {
    auto* r = new tern::SharedMemoryRegistry;
    const std::string key = "/tern_fuzz_" + std::to_string(getpid());
    const int fd = shm_open(key.c_str(), O_CREAT | O_RDWR, 0600);
    if (fd < 0 || ftruncate(fd, 256) != 0) std::abort();
    close(fd);
    if (!r->Register("region", key, 0, 256).ok()) std::abort();
    shm_unlink(key.c_str());  // the registry keeps its own mapping
    return r;
  }();
  return *registry;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tern::fuzz::LimitTensorMemory();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  tern::RestRequest request;
  request.method = "POST";
  request.target = "/v2/models/m/infer";
  if (newline != std::string_view::npos) {
    request.inference_header_content_length = input.substr(0, newline);
    request.body = input.substr(newline + 1);
  } else {
    request.body = input;
  }
  auto body = tern::SplitInferBody(request);
  if (!body.ok() || body->raw) return 0;
  const tern::ModelRef ref{"m", std::nullopt, std::nullopt};
  (void)tern::ParseInferBody(*body, ref, kMaxElements, Registry());
  return 0;
}
