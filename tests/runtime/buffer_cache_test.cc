#include "runtime/buffer_cache.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "runtime/memory_account.h"
#include "runtime/tensor.h"

namespace tern {
namespace {

BufferCache::Options NoSweeper() {
  BufferCache::Options options;
  options.sweep_interval = std::chrono::milliseconds(0);
  options.shards = 2;
  return options;
}

TEST(BufferCacheTest, SizeClassesWasteAtMostAnEighth) {
  EXPECT_EQ(BufferCache::BlockBytes(1), 64u);
  EXPECT_EQ(BufferCache::BlockBytes(64), 64u);
  EXPECT_EQ(BufferCache::BlockBytes(65), 128u);
  EXPECT_EQ(BufferCache::BlockBytes(1024), 1024u);
  EXPECT_EQ(BufferCache::BlockBytes(1025), 1152u);
  EXPECT_EQ(BufferCache::BlockBytes(4096), 4096u);
  EXPECT_EQ(BufferCache::BlockBytes(4097), 4608u);
  for (size_t bytes = 1; bytes < (size_t{1} << 26); bytes = bytes * 5 / 4 + 7) {
    const size_t block = BufferCache::BlockBytes(bytes);
    EXPECT_GE(block, bytes);
    EXPECT_EQ(block % 64, 0u);
    EXPECT_LE(block, bytes + bytes / 8 + 64) << bytes;
  }
}

TEST(BufferCacheTest, AFreedBlockServesTheNextAllocationOfItsClass) {
  auto cache = BufferCache::Create(NoSweeper());
  void* a = cache->Allocate(100000);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  std::memset(a, 1, 100000);
  cache->Free(a);
  EXPECT_EQ(cache->stats().cached_bytes, static_cast<int64_t>(BufferCache::BlockBytes(100000)));
  void* b = cache->Allocate(99000);  // same class
  EXPECT_EQ(b, a);
  void* c = cache->Allocate(100000);  // the class's list is empty again
  EXPECT_NE(c, a);
  const BufferCache::Stats stats = cache->stats();
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 2);
  EXPECT_EQ(stats.cached_bytes, 0);
  cache->Free(b);
  cache->Free(c);
}

TEST(BufferCacheTest, ARequestTakesTheWarmestBlockUpToTwiceItsSize) {
  auto cache = BufferCache::Create(NoSweeper());
  void* own = cache->Allocate(100000);
  void* larger = cache->Allocate(150000);       // 5 classes above 100000's
  void* much_larger = cache->Allocate(250000);  // more than 8 classes above
  cache->Free(own);
  cache->Free(larger);       // freed after `own`: warmer
  cache->Free(much_larger);  // warmest, but over twice the size
  EXPECT_EQ(cache->Allocate(100000), larger);
  EXPECT_EQ(cache->stats().cached_bytes, static_cast<int64_t>(BufferCache::BlockBytes(100000) +
                                                              BufferCache::BlockBytes(250000)));
  EXPECT_EQ(cache->Allocate(100000), own);
  void* fresh = cache->Allocate(100000);
  EXPECT_NE(fresh, much_larger);
  EXPECT_EQ(cache->stats().hits, 2);
  // A block taken from a larger class goes back to that class.
  cache->Free(larger);
  EXPECT_EQ(cache->Allocate(150000), larger);
  for (void* block : {own, larger, fresh}) cache->Free(block);
}

TEST(BufferCacheTest, WithoutLargerClassesARequestTakesItsOwnClass) {
  BufferCache::Options options = NoSweeper();
  options.larger_classes = 0;
  auto cache = BufferCache::Create(options);
  void* own = cache->Allocate(100000);
  void* larger = cache->Allocate(150000);
  cache->Free(own);
  cache->Free(larger);
  EXPECT_EQ(cache->Allocate(100000), own);
  void* fresh = cache->Allocate(100000);
  EXPECT_NE(fresh, larger);
  for (void* block : {own, fresh}) cache->Free(block);
}

TEST(BufferCacheTest, ABlockGoesBackToTheShardOfTheThreadThatAllocatedIt) {
  auto cache = BufferCache::Create(NoSweeper());
  void* a = cache->Allocate(5000);
  std::thread([&] { cache->Free(a); }).join();  // a reply freed on another thread
  EXPECT_EQ(cache->Allocate(5000), a);
  cache->Free(a);
}

TEST(BufferCacheTest, CapacityBoundsWhatIsKept) {
  BufferCache::Options options = NoSweeper();
  options.capacity_bytes = 256 * 1024;
  options.max_block_bytes = 128 * 1024;
  auto cache = BufferCache::Create(options);
  std::vector<void*> blocks;
  for (int i = 0; i < 8; ++i) blocks.push_back(cache->Allocate(64 * 1024));
  for (void* block : blocks) cache->Free(block);
  EXPECT_EQ(cache->stats().cached_bytes, 256 * 1024);  // 4 of the 8 kept
  EXPECT_EQ(cache->stats().released, 4);
  // Over max_block_bytes: never cached.
  cache->Free(cache->Allocate(200 * 1024));
  EXPECT_EQ(cache->stats().cached_bytes, 256 * 1024);
  EXPECT_EQ(cache->stats().released, 5);
  cache->ReleaseDownTo(64 * 1024);
  EXPECT_EQ(cache->stats().cached_bytes, 64 * 1024);
}

TEST(BufferCacheTest, NoCapacityMeansNoCaching) {
  BufferCache::Options options = NoSweeper();
  options.capacity_bytes = 0;
  auto cache = BufferCache::Create(options);
  void* a = cache->Allocate(1000);
  ASSERT_NE(a, nullptr);
  cache->Free(a);
  EXPECT_EQ(cache->stats().cached_bytes, 0);
  EXPECT_EQ(cache->stats().hits, 0);
}

TEST(BufferCacheTest, TheHeadroomBoundsTheCacheAndAMissMakesRoom) {
  int64_t headroom = 1 << 20;
  BufferCache::Options options = NoSweeper();
  options.headroom = [&] { return headroom; };
  auto cache = BufferCache::Create(options);
  std::vector<void*> blocks;
  for (int i = 0; i < 4; ++i) blocks.push_back(cache->Allocate(512 * 1024));
  for (void* block : blocks) cache->Free(block);
  EXPECT_EQ(cache->stats().cached_bytes, 1 << 20);  // two fit the headroom
  // The budget tightens (say live tensors grew): the next allocation that needs new memory frees
  // cached blocks down to what the budget leaves.
  headroom = 256 * 1024;
  void* other = cache->Allocate(100);
  EXPECT_LE(cache->stats().cached_bytes, 256 * 1024);
  cache->Free(other);
}

TEST(BufferCacheTest, ReleaseIdleFreesWhatNoAllocationNeeded) {
  auto cache = BufferCache::Create(NoSweeper());
  void* a = cache->Allocate(10000);
  void* b = cache->Allocate(10000);
  void* big = cache->Allocate(1 << 20);
  cache->Free(a);
  cache->Free(b);
  cache->Free(big);
  EXPECT_EQ(cache->ReleaseIdle(), 0);  // just freed: the first sweep only marks them
  // Between sweeps one 10000-byte block is used (and given back); the other one and the big block
  // are not.
  cache->Free(cache->Allocate(10000));
  const int64_t freed = cache->ReleaseIdle();
  EXPECT_EQ(freed, static_cast<int64_t>(BufferCache::BlockBytes(10000) +
                                        BufferCache::BlockBytes(1 << 20)));
  EXPECT_EQ(cache->stats().cached_bytes, static_cast<int64_t>(BufferCache::BlockBytes(10000)));
  EXPECT_EQ(cache->ReleaseIdle(), static_cast<int64_t>(BufferCache::BlockBytes(10000)));
  EXPECT_EQ(cache->stats().cached_bytes, 0);
}

TEST(BufferCacheTest, TheSweeperEmptiesAnIdleCache) {
  BufferCache::Options options;
  options.sweep_interval = std::chrono::milliseconds(10);
  auto cache = BufferCache::Create(options);
  cache->Free(cache->Allocate(300000));
  for (int i = 0; i < 500 && cache->stats().cached_bytes > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(cache->stats().cached_bytes, 0);
}

TEST(BufferCacheTest, ConcurrentThreadsAllocateAndFree) {
  BufferCache::Options options = NoSweeper();
  options.capacity_bytes = 1 << 20;
  auto cache = BufferCache::Create(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<void*> live;
      for (int i = 0; i < 2000; ++i) {
        const size_t bytes = 64 + static_cast<size_t>((i * 7919 + t * 104729) % 70000);
        void* block = cache->Allocate(bytes);
        std::memset(block, t, bytes);
        live.push_back(block);
        if (live.size() > 8) {
          cache->Free(live.front());
          live.erase(live.begin());
        }
      }
      for (void* block : live) cache->Free(block);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(cache->stats().cached_bytes, 1 << 20);
  EXPECT_GT(cache->stats().hits, 0);
}

// Tensors reuse the process cache's blocks while the budgets charge exactly the tensors' bytes.
TEST(BufferCacheTest, TensorsReuseBlocksAndAreChargedTheirOwnBytes) {
  const int64_t before = TensorMemory::InUseBytes();
  const void* first = nullptr;
  {
    auto t = Tensor::Create(tensorflow::DT_FLOAT, TensorShape{1000, 37}, Tensor::Contents::kUnset);
    ASSERT_TRUE(t.ok());
    first = t->raw_data();
    EXPECT_EQ(TensorMemory::InUseBytes(), before + 148000);
  }
  EXPECT_EQ(TensorMemory::InUseBytes(), before);
  const int64_t hits = BufferCache::Process().stats().hits;
  auto again = Tensor::Create(tensorflow::DT_FLOAT, TensorShape{37, 1000});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->raw_data(), first);
  EXPECT_EQ(BufferCache::Process().stats().hits, hits + 1);
  for (int64_t i = 0; i < again->num_elements(); ++i) {
    ASSERT_EQ(again->flat<float>()[i], 0.0f) << "a reused block is zeroed for kZeros";
  }
  EXPECT_EQ(TensorMemory::InUseBytes(), before + 148000);
}

}  // namespace
}  // namespace tern
