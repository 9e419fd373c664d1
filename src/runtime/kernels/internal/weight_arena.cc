#include "runtime/kernels/internal/weight_arena.h"

#include <sys/mman.h>

#include <cstdint>
#include <mutex>
#include <new>

namespace tern {
namespace {

constexpr size_t kHugePageBytes = size_t{2} << 20;
constexpr size_t kAlignBytes = 64;

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

// One mapping of `size` bytes starting on a huge-page boundary.
class Chunk {
 public:
  explicit Chunk(size_t size) : size_(RoundUp(size, kHugePageBytes)) {
    // Map one huge page more and trim, so that the start is aligned: only aligned 2 MiB ranges
    // can be backed by huge pages.
    const size_t mapped = size_ + kHugePageBytes;
    void* raw = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t aligned = RoundUp(start, kHugePageBytes);
    if (aligned > start) munmap(raw, aligned - start);
    const uintptr_t end = start + mapped;
    if (end > aligned + size_)
      munmap(reinterpret_cast<void*>(aligned + size_), end - aligned - size_);
    base_ = reinterpret_cast<char*>(aligned);
    // Advice only: without transparent huge pages the chunk works on plain pages.
    madvise(base_, size_, MADV_HUGEPAGE);
  }
  ~Chunk() { munmap(base_, size_); }
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;

  // The next `bytes` of the chunk, or nullptr when they do not fit. Callers lock.
  void* Carve(size_t bytes) {
    const size_t rounded = RoundUp(bytes, kAlignBytes);
    if (rounded > size_ - used_) return nullptr;
    void* block = base_ + used_;
    used_ += rounded;
    return block;
  }

 private:
  const size_t size_;
  char* base_ = nullptr;
  size_t used_ = 0;
};

std::mutex arena_mu;
std::weak_ptr<Chunk> filling;  // guarded by arena_mu

}  // namespace

std::shared_ptr<void> AllocateWeightMemory(size_t bytes) {
  if (bytes == 0) bytes = 1;
  if (bytes > kWeightChunkBytes / 2) {
    auto own = std::make_shared<Chunk>(bytes);
    void* block = own->Carve(bytes);
    return std::shared_ptr<void>(std::move(own), block);
  }
  std::lock_guard<std::mutex> lock(arena_mu);
  std::shared_ptr<Chunk> chunk = filling.lock();
  void* block = chunk != nullptr ? chunk->Carve(bytes) : nullptr;
  if (block == nullptr) {
    chunk = std::make_shared<Chunk>(kWeightChunkBytes);
    filling = chunk;
    block = chunk->Carve(bytes);
  }
  return std::shared_ptr<void>(std::move(chunk), block);
}

}  // namespace tern
