// Memory for weights that kernels repack once and then read on every run (oneDNN's packed
// layouts), carved out of 2 MiB-aligned chunks that the kernel is asked to back with transparent
// huge pages (madvise MADV_HUGEPAGE; where the system does not allow it, plain pages).
//
// Why: a model at batch 1 streams all its weights from memory once per run (ResNet50: ~100 MB).
// With 4 KiB pages that is a TLB miss every 4 KiB, which measured 5-20% of a batch-1 run on the
// CNNs of loadtest/runtime_vs_peers.py. Small weights share chunks, so they are covered too, and
// do not all start on the same cache sets as 2 MiB-aligned blocks each would.
//
// A chunk is unmapped when the last block carved from it is released (the arena itself holds
// only a weak reference to the chunk it is filling). A released block's space is not reused
// while other blocks of its chunk live. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>

namespace tern {

// `bytes` (> 0) of 64-byte-aligned, writable memory, released with the returned pointer. Throws
// std::bad_alloc when no memory can be mapped.
std::shared_ptr<void> AllocateWeightMemory(size_t bytes);

// The size of the chunks small blocks share; a larger block gets a chunk of its own.
inline constexpr size_t kWeightChunkBytes = size_t{32} << 20;

}  // namespace tern
