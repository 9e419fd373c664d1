#include "runtime/kernels/internal/weight_arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tern {
namespace {

uintptr_t Address(const std::shared_ptr<void>& p) { return reinterpret_cast<uintptr_t>(p.get()); }

// The "THPeligible:" value of the mapping holding `address` in /proc/self/smaps, or -1.
int HugePageEligible(uintptr_t address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= address && address < end;
      continue;
    }
    if (inside && line.rfind("THPeligible:", 0) == 0) return std::stoi(line.substr(12));
  }
  return -1;
}

bool TransparentHugePagesAvailable() {
  std::ifstream enabled("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(enabled, mode);
  return !mode.empty() && mode.find("[never]") == std::string::npos;
}

TEST(WeightArenaTest, BlocksAreAlignedWritableAndDisjoint) {
  std::vector<std::shared_ptr<void>> blocks;
  const std::vector<size_t> sizes = {1, 63, 64, 100, 4096, 1 << 20, 3 << 20};
  for (size_t size : sizes) {
    blocks.push_back(AllocateWeightMemory(size));
    ASSERT_NE(blocks.back(), nullptr);
    EXPECT_EQ(Address(blocks.back()) % 64, 0u) << size;
    std::memset(blocks.back().get(), static_cast<int>(blocks.size()), size);
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    for (size_t j = i + 1; j < blocks.size(); ++j) {
      const uintptr_t a = Address(blocks[i]), b = Address(blocks[j]);
      EXPECT_TRUE(a + sizes[i] <= b || b + sizes[j] <= a) << i << " overlaps " << j;
    }
    // Nothing written later reached into this block.
    const auto* bytes = static_cast<const unsigned char*>(blocks[i].get());
    for (size_t k = 0; k < sizes[i]; ++k) ASSERT_EQ(bytes[k], i + 1) << "block " << i;
  }
}

TEST(WeightArenaTest, SmallBlocksShareAChunkOnHugePageBoundaries) {
  const std::shared_ptr<void> first = AllocateWeightMemory(1000);
  const std::shared_ptr<void> second = AllocateWeightMemory(1000);
  // Carved one after the other (1000 rounded up to 64-byte alignment), unless `first` ended a
  // chunk.
  if (Address(second) > Address(first)) {
    EXPECT_EQ(Address(second) - Address(first), 1024u);
  }
  // A block larger than half a chunk gets a chunk of its own, starting on a 2 MiB boundary.
  const std::shared_ptr<void> large = AllocateWeightMemory(kWeightChunkBytes);
  EXPECT_EQ(Address(large) % (size_t{2} << 20), 0u);
  if (TransparentHugePagesAvailable()) {
    EXPECT_EQ(HugePageEligible(Address(large)), 1);
    EXPECT_EQ(HugePageEligible(Address(first)), 1);
  }
}

TEST(WeightArenaTest, ReleasedChunksAreUnmappedAndNewOnesMade) {
  uintptr_t address = 0;
  {
    const std::shared_ptr<void> large = AllocateWeightMemory(kWeightChunkBytes);
    address = Address(large);
    EXPECT_NE(HugePageEligible(address), -1);  // mapped
  }
  EXPECT_EQ(HugePageEligible(address), -1);  // gone with its last block
  // More than a chunk's worth of small blocks: the arena moves on to new chunks.
  std::vector<std::shared_ptr<void>> blocks;
  for (int i = 0; i < 3; ++i) blocks.push_back(AllocateWeightMemory(kWeightChunkBytes / 2));
  for (const auto& block : blocks) std::memset(block.get(), 1, kWeightChunkBytes / 2);
}

}  // namespace
}  // namespace tern
