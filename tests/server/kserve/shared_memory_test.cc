#include "server/kserve/shared_memory.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

namespace tern {
namespace {

bool Contains(const Status& s, const std::string& text) {
  return s.message().find(text) != std::string::npos;
}

// A POSIX shm object of `size` bytes, the test's own view of it, removed at the end.
class ShmObject {
 public:
  explicit ShmObject(size_t size)
      : key_("/tern_shm_test_" + std::to_string(getpid()) + "_" + std::to_string(next_++)),
        size_(size) {
    const int fd = shm_open(key_.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0);
    view_ = static_cast<char*>(mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    close(fd);
  }
  ~ShmObject() {
    munmap(view_, size_);
    shm_unlink(key_.c_str());
  }
  const std::string& key() const { return key_; }
  char* view() const { return view_; }

 private:
  static inline int next_ = 0;
  std::string key_;
  size_t size_;
  char* view_ = nullptr;
};

TEST(SharedMemoryRegistry, RegisterListUnregister) {
  ShmObject a(64), b(128);
  SharedMemoryRegistry registry;
  ASSERT_TRUE(registry.Register("a", a.key(), 0, 64).ok());
  ASSERT_TRUE(registry.Register("b", b.key(), 28, 100).ok());
  auto all = registry.List("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].name, "b");
  EXPECT_EQ((*all)[1].key, b.key());
  EXPECT_EQ((*all)[1].offset, 28u);
  EXPECT_EQ((*all)[1].byte_size, 100u);

  Status again = registry.Register("a", b.key(), 0, 8);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(Contains(again, "'a' is already registered")) << again.message();

  EXPECT_EQ(registry.List("zz").status().code(), StatusCode::kNotFound);
  registry.Unregister("a");
  registry.Unregister("never-registered");  // not an error, as in Triton
  EXPECT_EQ(registry.List("")->size(), 1u);
  registry.Unregister("");
  EXPECT_TRUE(registry.List("")->empty());
}

TEST(SharedMemoryRegistry, RefusesWhatCannotBeMapped) {
  ShmObject small(32);
  SharedMemoryRegistry registry;
  Status missing = registry.Register("x", "/tern_shm_test_no_such_key", 0, 8);
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(missing, "cannot open shared memory key '/tern_shm_test_no_such_key'"))
      << missing.message();
  Status too_big = registry.Register("x", small.key(), 16, 32);
  EXPECT_TRUE(Contains(too_big, "offset 16 + byte_size 32 = 48 bytes")) << too_big.message();
  EXPECT_TRUE(Contains(too_big, "has only 32")) << too_big.message();
  EXPECT_TRUE(Contains(registry.Register("x", small.key(), 0, 0), "greater than 0"));
  EXPECT_TRUE(Contains(registry.Register("x", small.key(), UINT64_MAX, 2), "overflows"));
  EXPECT_TRUE(registry.List("")->empty());
}

TEST(SharedMemoryRegistry, ReadsInputsAndWritesOutputsAtTheirOffsets) {
  ShmObject object(64);
  const float values[3] = {1.5f, -2.0f, 8.0f};
  std::memcpy(object.view() + 16 + 4, values, sizeof(values));  // region at 16, tensor at +4
  SharedMemoryRegistry registry;
  ASSERT_TRUE(registry.Register("r", object.key(), 16, 40).ok());

  auto in = ResolveSharedMemory(registry, {"r", 4, 12}, /*is_input=*/true, "input 'x'");
  ASSERT_TRUE(in.ok()) << in.status().message();
  auto tensor = TensorFromSharedMemory(*in, tensorflow::DT_FLOAT, TensorShape{3}, "input 'x'");
  ASSERT_TRUE(tensor.ok()) << tensor.status().message();
  EXPECT_EQ(tensor->flat<float>()[0], 1.5f);
  EXPECT_EQ(tensor->flat<float>()[2], 8.0f);

  auto out = ResolveSharedMemory(registry, {"r", 20, std::nullopt}, false, "output 'y'");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->byte_size, 20u);  // the rest of the region
  auto written = WriteTensorToSharedMemory(
      *out, Tensor::FromVector<float>({3.0f, 4.0f}, TensorShape{2}), "output 'y'");
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, 8u);
  float back[2];
  std::memcpy(back, object.view() + 16 + 20, sizeof(back));
  EXPECT_EQ(back[0], 3.0f);
  EXPECT_EQ(back[1], 4.0f);
}

TEST(SharedMemoryRegistry, BadOffsetsAndSizesSayWhatIsWrong) {
  ShmObject object(32);
  SharedMemoryRegistry registry;
  ASSERT_TRUE(registry.Register("r", object.key(), 0, 32).ok());
  auto past = ResolveSharedMemory(registry, {"r", 24, 16}, true, "input 'x'");
  EXPECT_TRUE(Contains(past.status(),
                       "input 'x': shared_memory_offset 24 + shared_memory_byte_size 16 exceeds "
                       "shared memory region 'r'"))
      << past.status().message();
  auto beyond = ResolveSharedMemory(registry, {"r", 33, std::nullopt}, false, "output 'y'");
  EXPECT_TRUE(Contains(beyond.status(), "shared_memory_offset 33 is past the end"));
  auto no_size = ResolveSharedMemory(registry, {"r", 0, std::nullopt}, true, "input 'x'");
  EXPECT_TRUE(Contains(no_size.status(), "no shared_memory_byte_size"));
  auto unknown = ResolveSharedMemory(registry, {"q", 0, 4}, true, "input 'x'");
  EXPECT_TRUE(Contains(unknown.status(), "region 'q', which is not registered (registered: r)"))
      << unknown.status().message();

  auto slice = ResolveSharedMemory(registry, {"r", 0, 12}, true, "input 'x'");
  ASSERT_TRUE(slice.ok());
  auto wrong = TensorFromSharedMemory(*slice, tensorflow::DT_FLOAT, TensorShape{4}, "input 'x'");
  EXPECT_TRUE(Contains(wrong.status(), "needs 16 bytes of data, got 12"))
      << wrong.status().message();
  auto small = ResolveSharedMemory(registry, {"r", 0, 4}, false, "output 'y'");
  auto too_big = WriteTensorToSharedMemory(
      *small, Tensor::FromVector<float>({1, 2}, TensorShape{2}), "output 'y'");
  EXPECT_TRUE(Contains(too_big.status(), "needs 8 bytes, but shared_memory_byte_size gives 4"))
      << too_big.status().message();
}

TEST(SharedMemoryRegistry, UnregisterNeverUnmapsMemoryARequestHolds) {
  ShmObject object(16);
  SharedMemoryRegistry registry;
  ASSERT_TRUE(registry.Register("r", object.key(), 0, 16).ok());
  auto held = ResolveSharedMemory(registry, {"r", 0, 8}, false, "output 'y'");
  ASSERT_TRUE(held.ok());
  registry.Unregister("");
  EXPECT_FALSE(registry.Find("r", "input 'x'").ok());  // new requests no longer find it
  // The request that resolved it still writes into the (still mapped) memory.
  auto written = WriteTensorToSharedMemory(
      *held, Tensor::FromVector<float>({7.0f, 9.0f}, TensorShape{2}), "output 'y'");
  ASSERT_TRUE(written.ok());
  float back[2];
  std::memcpy(back, object.view(), sizeof(back));
  EXPECT_EQ(back[1], 9.0f);
  // Registering the name again is allowed while the old mapping is still held.
  EXPECT_TRUE(registry.Register("r", object.key(), 0, 16).ok());
}

TEST(SharedMemoryRegistry, ConcurrentRegisterFindUnregister) {
  ShmObject object(64);
  SharedMemoryRegistry registry;
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto slice = ResolveSharedMemory(registry, {"r", 0, 64}, true, "input 'x'");
        if (!slice.ok()) continue;
        auto tensor = TensorFromSharedMemory(*slice, tensorflow::DT_UINT8, TensorShape{64}, "x");
        if (tensor.ok()) reads.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) {
    (void)registry.Register("r", object.key(), 0, 64);
    registry.Unregister(i % 2 ? "r" : "");
  }
  stop.store(true);
  for (auto& t : readers) t.join();
  EXPECT_TRUE(registry.List("")->empty());
}

TEST(SharedMemoryRegistry, AnObjectShrunkAfterRegisterIsAnErrorNotACrash) {
  ShmObject object(4096);
  SharedMemoryRegistry registry;
  ASSERT_TRUE(registry.Register("r", object.key(), 0, 4096).ok());
  auto slice = ResolveSharedMemory(registry, {"r", 0, 4096}, true, "input 'x'");
  ASSERT_TRUE(slice.ok());
  const int fd = shm_open(object.key().c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 16), 0);  // reading page 0 past 16 bytes is fine, later pages SIGBUS
  close(fd);
  auto read = TensorFromSharedMemory(*slice, tensorflow::DT_UINT8, TensorShape{4096}, "input 'x'");
  EXPECT_TRUE(Contains(read.status(), "has shrunk to 16 bytes since it was registered"))
      << read.status().message();
  auto written = WriteTensorToSharedMemory(*slice, Tensor(tensorflow::DT_UINT8, TensorShape{4096}),
                                           "output 'y'");
  EXPECT_TRUE(Contains(written.status(), "output 'y'")) << written.status().message();
}

TEST(SharedMemory, CudaIsNotSupported) {
  Status s = CudaSharedMemoryUnsupported();
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_TRUE(Contains(s, "CUDA shared memory is not supported on this server"));
}

}  // namespace
}  // namespace tern
