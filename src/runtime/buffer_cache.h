// BufferCache: recycles freed tensor buffers by size class, so the blocks that a run's ops release
// serve the ops after them (in the same run or the next) instead of a malloc and a free per op
// output. Blocks are 64-byte aligned; each remembers its class and the shard (by allocating
// thread) it came from, and goes back there when freed, so a thread's runs mostly reuse their own
// blocks under an uncontended lock. A request takes the most recently freed block of its class or
// of a few classes above it: that block's lines are likely still in the CPU's caches.
//
// Bounded three ways: at most `capacity_bytes` sit in free blocks, and no more than `headroom()`
// (what the process tensor budget leaves, for the process cache), which an allocation that goes to
// malloc enforces by freeing cached blocks first; blocks that no allocation needed over a whole
// sweep interval are freed by a sweeper thread, so an idle process gives its memory back; blocks
// over `max_block_bytes` bypass the cache. The accounting (memory_account.h) charges tensors, not
// blocks: a cached block is charged to no one, a reused one to the tensor that holds it, so the
// budgets answer exactly as without the cache. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tern {

class BufferCache {
 public:
  struct Options {
    // The most bytes kept in free blocks, all shards together; 0: no caching (every block goes
    // to malloc and back, as under a sanitizer).
    int64_t capacity_bytes = int64_t{256} << 20;
    // Larger blocks are allocated and freed directly.
    int64_t max_block_bytes = int64_t{64} << 20;
    // A request may take a block up to this many size classes above its own (8: up to twice its
    // size) when that block was freed after every block of its own class. Ops write their output
    // into such a block while it is still in the CPU's caches; in its own class, where the same op
    // left it a run ago, it may have gone to DRAM. DenseNet121 b64 on one core: -10% run time,
    // -27% peak memory (blocks serve more sizes). 0: its own class only.
    int larger_classes = 8;
    // Independent free lists, each with its lock; threads take one each, round robin. 0: twice the
    // schedulable cores, at least 4.
    int shards = 0;
    // How often the sweeper frees the blocks no allocation needed since its last pass; 0: no
    // sweeper thread (ReleaseIdle by hand).
    std::chrono::milliseconds sweep_interval{1000};
    // The most bytes the cache may hold right now, besides capacity_bytes (e.g. what the process
    // tensor budget leaves unused); null: no such limit. Called on every free and on every
    // allocation that misses, so it must be cheap.
    std::function<int64_t()> headroom;
    // After a sweep that freed at least 1 MiB, return the heap's free pages to the system
    // (malloc_trim), which otherwise keeps them (tensor.cc raises glibc's trim threshold).
    bool trim_heap = false;
  };

  struct Stats {
    int64_t cached_bytes = 0;  // in free blocks now
    int64_t hits = 0;          // allocations served from a free block
    int64_t misses = 0;        // allocations that called malloc (oversized ones included)
    int64_t released = 0;      // blocks given back to malloc (over a bound, swept, or uncached)
  };

  static std::unique_ptr<BufferCache> Create(Options options);
  // The cache every tensor buffer comes from: the process tensor budget as its headroom, heap
  // trimmed after sweeps, no caching under AddressSanitizer (a reused block would hide a
  // use-after-free). Never destroyed.
  static BufferCache& Process();

  // Frees the cached blocks; every block allocated from this cache must have been freed.
  ~BufferCache();
  BufferCache(const BufferCache&) = delete;
  BufferCache& operator=(const BufferCache&) = delete;

  // A 64-byte aligned block of at least `bytes` bytes (contents unspecified); nullptr when malloc
  // fails.
  void* Allocate(size_t bytes);
  // Gives back a block Allocate returned (null: nothing).
  void Free(void* data);

  // Frees cached blocks until at most `keep_bytes` remain in the cache.
  void ReleaseDownTo(int64_t keep_bytes);
  // Frees the blocks that no allocation needed since the previous call (per size class, as many
  // as the class's free list never went below); returns the bytes freed.
  int64_t ReleaseIdle();

  Stats stats() const;
  // The block size a request of `bytes` gets (tests; exposes the size classes).
  static size_t BlockBytes(size_t bytes);

 private:
  struct Header;
  struct FreeList {
    Header* head = nullptr;
    int64_t count = 0;
    int64_t low_water = 0;  // the fewest blocks on the list since the last sweep
  };
  struct alignas(64) Shard {
    std::mutex mu;
    std::vector<FreeList> lists;  // by size class
    int64_t hits = 0;
    int64_t misses = 0;
    uint64_t frees = 0;  // stamps the blocks freed to this shard, in order
  };

  explicit BufferCache(Options options);
  static Header* HeaderOf(void* data);
  static void* DataOf(Header* header);
  Shard& ThisThreadsShard();
  void* NewBlock(size_t block_bytes, int size_class, uint32_t shard);
  void FreeChain(Header* chain);
  void SweepLoop();

  const Options options_;
  const int num_classes_;  // classes up to max_block_bytes
  const int num_shards_;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<int64_t> cached_bytes_{0};
  std::atomic<int64_t> released_{0};
  std::atomic<int64_t> oversized_{0};

  std::mutex sweep_mu_;
  std::condition_variable sweep_wake_;
  bool stopping_ = false;
  std::thread sweeper_;
};

}  // namespace tern
