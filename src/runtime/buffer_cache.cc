#include "runtime/buffer_cache.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>

#include "common/cpu_count.h"
#include "common/thread_name.h"
#include "runtime/memory_account.h"

namespace tern {

// The 64 bytes before a block's data (one cache line, so the data stays aligned).
struct BufferCache::Header {
  Header* next;        // on a free list
  uint32_t shard;      // the shard whose thread allocated it, where it goes back
  int32_t size_class;  // -1: oversized, never cached
  uint64_t freed_at;   // its shard's `frees` when it was last freed: higher is warmer
};

namespace {

constexpr size_t kAlignment = 64;
constexpr int kSmallClasses = 16;       // 64, 128, ..., 1024 bytes
constexpr int kClassesPerDoubling = 8;  // above 1 KiB: a block wastes at most 1/8 of itself
constexpr int64_t kTrimAfterBytes = int64_t{1} << 20;

size_t RoundUp(size_t bytes) {
  const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  return rounded == 0 ? kAlignment : rounded;
}

int FloorLog2(size_t x) { return 63 - __builtin_clzll(static_cast<unsigned long long>(x)); }

// Size class of a request: multiples of 64 up to 1 KiB, then 8 steps per power of two.
int ClassOf(size_t bytes) {
  const size_t r = RoundUp(bytes);
  if (r <= kAlignment * kSmallClasses) return static_cast<int>(r / kAlignment) - 1;
  const int k = FloorLog2(r - 1);  // 2^k < r <= 2^(k+1), k >= 10
  const size_t step = size_t{1} << (k - 3);
  const size_t sub = (r - (size_t{1} << k) + step - 1) / step;  // 1..8
  return kSmallClasses + (k - 10) * kClassesPerDoubling + static_cast<int>(sub) - 1;
}

size_t ClassBytes(int size_class) {
  if (size_class < kSmallClasses) return static_cast<size_t>(size_class + 1) * kAlignment;
  const int k = 10 + (size_class - kSmallClasses) / kClassesPerDoubling;
  const size_t sub = static_cast<size_t>((size_class - kSmallClasses) % kClassesPerDoubling) + 1;
  return (size_t{1} << k) + sub * (size_t{1} << (k - 3));
}

}  // namespace

BufferCache::Header* BufferCache::HeaderOf(void* data) {
  return reinterpret_cast<Header*>(static_cast<char*>(data) - kAlignment);
}

void* BufferCache::DataOf(Header* header) { return reinterpret_cast<char*>(header) + kAlignment; }

static_assert(sizeof(void*) + 8 <= kAlignment, "a block's header fits before its data");

std::unique_ptr<BufferCache> BufferCache::Create(Options options) {
  return std::unique_ptr<BufferCache>(new BufferCache(std::move(options)));
}

BufferCache& BufferCache::Process() {
  static BufferCache* const cache = [] {
    Options options;
#if defined(__SANITIZE_ADDRESS__)
    options.capacity_bytes = 0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    options.capacity_bytes = 0;
#endif
#endif
    // Cached blocks plus live tensors stay within the process budget.
    options.headroom = [] {
      const int64_t limit = TensorMemory::ProcessLimitBytes();
      if (limit <= 0) return INT64_MAX;
      return std::max<int64_t>(0, limit - TensorMemory::InUseBytes());
    };
    options.trim_heap = true;
    return Create(std::move(options)).release();
  }();
  return *cache;
}

BufferCache::BufferCache(Options options)
    : options_(std::move(options)),
      num_classes_(options_.capacity_bytes > 0 && options_.max_block_bytes > 0
                       ? ClassOf(static_cast<size_t>(options_.max_block_bytes)) + 1
                       : 0),
      num_shards_(options_.shards > 0 ? options_.shards : std::max(4, 2 * SchedulableCores())),
      shards_(new Shard[static_cast<size_t>(num_shards_)]) {
  for (int i = 0; i < num_shards_; ++i) shards_[i].lists.resize(static_cast<size_t>(num_classes_));
  if (options_.sweep_interval.count() > 0 && num_classes_ > 0) {
    sweeper_ = std::thread([this] {
      SetCurrentThreadName("tern-buffers");
      SweepLoop();
    });
  }
}

BufferCache::~BufferCache() {
  if (sweeper_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(sweep_mu_);
      stopping_ = true;
    }
    sweep_wake_.notify_all();
    sweeper_.join();
  }
  ReleaseDownTo(0);
}

size_t BufferCache::BlockBytes(size_t bytes) { return ClassBytes(ClassOf(bytes)); }

BufferCache::Shard& BufferCache::ThisThreadsShard() {
  static std::atomic<uint32_t> next_thread{0};
  thread_local const uint32_t thread_index = next_thread.fetch_add(1, std::memory_order_relaxed);
  return shards_[thread_index % static_cast<uint32_t>(num_shards_)];
}

void* BufferCache::NewBlock(size_t block_bytes, int size_class, uint32_t shard) {
  void* base = std::aligned_alloc(kAlignment, kAlignment + block_bytes);
  if (base == nullptr) return nullptr;
  auto* header = static_cast<Header*>(base);
  header->next = nullptr;
  header->shard = shard;
  header->size_class = size_class;
  header->freed_at = 0;
  return DataOf(header);
}

void* BufferCache::Allocate(size_t bytes) {
  const int size_class = ClassOf(bytes);
  if (size_class >= num_classes_) {
    oversized_.fetch_add(1, std::memory_order_relaxed);
    return NewBlock(RoundUp(bytes), -1, 0);
  }
  const size_t block_bytes = ClassBytes(size_class);
  Shard& shard = ThisThreadsShard();
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    // Each list's head is its most recently freed block; take the warmest of the heads.
    FreeList* warmest = nullptr;
    const int last_class =
        std::min(num_classes_ - 1, size_class + std::max(0, options_.larger_classes));
    for (int c = size_class; c <= last_class; ++c) {
      FreeList& list = shard.lists[static_cast<size_t>(c)];
      if (list.head != nullptr &&
          (warmest == nullptr || list.head->freed_at > warmest->head->freed_at)) {
        warmest = &list;
      }
    }
    if (warmest != nullptr) {
      Header* header = warmest->head;
      warmest->head = header->next;
      warmest->low_water = std::min(warmest->low_water, --warmest->count);
      ++shard.hits;
      // Its own class's bytes, which may be a larger class than the request's.
      cached_bytes_.fetch_sub(static_cast<int64_t>(ClassBytes(header->size_class)),
                              std::memory_order_relaxed);
      return DataOf(header);
    }
    ++shard.misses;
  }
  // New memory: if the budget has less room than the cache holds, the cache gives way first.
  if (options_.headroom) {
    const int64_t room = options_.headroom();
    if (cached_bytes_.load(std::memory_order_relaxed) > room) ReleaseDownTo(room);
  }
  return NewBlock(block_bytes, size_class, static_cast<uint32_t>(&shard - shards_.get()));
}

void BufferCache::Free(void* data) {
  if (data == nullptr) return;
  Header* header = HeaderOf(data);
  if (header->size_class < 0) {
    std::free(header);
    released_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const auto block_bytes = static_cast<int64_t>(ClassBytes(header->size_class));
  int64_t limit = options_.capacity_bytes;
  if (options_.headroom) limit = std::min(limit, options_.headroom());
  if (cached_bytes_.fetch_add(block_bytes, std::memory_order_relaxed) + block_bytes > limit) {
    cached_bytes_.fetch_sub(block_bytes, std::memory_order_relaxed);
    std::free(header);
    released_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  Shard& shard = shards_[header->shard];
  std::lock_guard<std::mutex> lock(shard.mu);
  FreeList& list = shard.lists[static_cast<size_t>(header->size_class)];
  header->next = list.head;
  header->freed_at = ++shard.frees;
  list.head = header;
  ++list.count;
}

void BufferCache::FreeChain(Header* chain) {
  int64_t blocks = 0;
  while (chain != nullptr) {
    Header* next = chain->next;
    std::free(chain);
    chain = next;
    ++blocks;
  }
  released_.fetch_add(blocks, std::memory_order_relaxed);
}

void BufferCache::ReleaseDownTo(int64_t keep_bytes) {
  // Largest classes first: the fewest frees for the bytes.
  for (int i = 0; i < num_shards_; ++i) {
    Header* chain = nullptr;
    {
      std::lock_guard<std::mutex> lock(shards_[i].mu);
      for (int c = num_classes_ - 1; c >= 0; --c) {
        FreeList& list = shards_[i].lists[static_cast<size_t>(c)];
        const auto block_bytes = static_cast<int64_t>(ClassBytes(c));
        while (list.head != nullptr && cached_bytes_.load(std::memory_order_relaxed) > keep_bytes) {
          Header* header = list.head;
          list.head = header->next;
          list.low_water = std::min(list.low_water, --list.count);
          cached_bytes_.fetch_sub(block_bytes, std::memory_order_relaxed);
          header->next = chain;
          chain = header;
        }
      }
    }
    FreeChain(chain);
    if (cached_bytes_.load(std::memory_order_relaxed) <= keep_bytes) return;
  }
}

int64_t BufferCache::ReleaseIdle() {
  int64_t freed = 0;
  for (int i = 0; i < num_shards_; ++i) {
    Header* chain = nullptr;
    {
      std::lock_guard<std::mutex> lock(shards_[i].mu);
      for (int c = 0; c < num_classes_; ++c) {
        FreeList& list = shards_[i].lists[static_cast<size_t>(c)];
        const auto block_bytes = static_cast<int64_t>(ClassBytes(c));
        // The idle blocks are the oldest: the tail of the list (it is pushed and popped at the
        // head), which keeps the recently used, cache-warm blocks.
        const int64_t idle = std::min(list.low_water, list.count);
        if (idle > 0) {
          Header** cut = &list.head;
          for (int64_t kept = list.count - idle; kept > 0; --kept) cut = &(*cut)->next;
          Header* tail = *cut;
          *cut = nullptr;
          list.count -= idle;
          cached_bytes_.fetch_sub(idle * block_bytes, std::memory_order_relaxed);
          freed += idle * block_bytes;
          Header* last = tail;
          while (last->next != nullptr) last = last->next;
          last->next = chain;
          chain = tail;
        }
        list.low_water = list.count;
      }
    }
    FreeChain(chain);
  }
  return freed;
}

void BufferCache::SweepLoop() {
  std::unique_lock<std::mutex> lock(sweep_mu_);
  while (!sweep_wake_.wait_for(lock, options_.sweep_interval, [this] { return stopping_; })) {
    lock.unlock();
    if (ReleaseIdle() >= kTrimAfterBytes && options_.trim_heap) malloc_trim(0);
    lock.lock();
  }
}

BufferCache::Stats BufferCache::stats() const {
  Stats stats;
  stats.cached_bytes = cached_bytes_.load(std::memory_order_relaxed);
  stats.misses = oversized_.load(std::memory_order_relaxed);
  stats.released = released_.load(std::memory_order_relaxed);
  for (int i = 0; i < num_shards_; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    stats.hits += shards_[i].hits;
    stats.misses += shards_[i].misses;
  }
  return stats;
}

}  // namespace tern
