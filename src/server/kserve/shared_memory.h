// Triton's system shared memory extension: the registry of POSIX shared memory regions a client
// registered by name, and the reads and writes of tensors in them.
//
// Ownership: a region is a read-write mapping of [0, offset + byte_size) of the shm object the
// client named by key (shm_open), with the object's descriptor, both released when the last
// shared_ptr to it goes. The registry
// holds one; every request that reads or writes a region holds another from the moment it is
// parsed until its answer is written, so unregistering a region while a request uses it only
// stops new requests from finding it, never unmaps memory in use.
// Thread-safety: SharedMemoryRegistry is thread-safe (one mutex around the name map; reads and
// writes of region memory happen outside it). What the client does to the memory meanwhile is
// its business, as in Triton: the server copies an input out once and writes an output once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/tensor.h"

namespace tern {

class SharedMemoryRegion {
 public:
  // Opens the shm object `key` and maps [0, offset + byte_size) read-write. INVALID_ARGUMENT
  // when the object is missing, smaller than offset + byte_size, or byte_size is 0.
  static StatusOr<std::shared_ptr<SharedMemoryRegion>> Open(const std::string& name,
                                                            const std::string& key, uint64_t offset,
                                                            uint64_t byte_size);
  ~SharedMemoryRegion();
  SharedMemoryRegion(const SharedMemoryRegion&) = delete;
  SharedMemoryRegion& operator=(const SharedMemoryRegion&) = delete;

  const std::string& name() const { return name_; }
  const std::string& key() const { return key_; }
  uint64_t offset() const { return offset_; }        // of the region within the shm object
  uint64_t byte_size() const { return byte_size_; }  // of the region
  // The region's first byte (the object's byte `offset`).
  char* data() const { return static_cast<char*>(mapping_) + offset_; }
  // INVALID_ARGUMENT when the client has shrunk the shm object below the region since it was
  // registered: touching the mapping past the object's end would be SIGBUS. Checked before
  // every read and write (one fstat); a shrink between the check and the copy is the client's
  // race to lose, as in Triton.
  Status CheckNotShrunk() const;

 private:
  SharedMemoryRegion(std::string name, std::string key, uint64_t offset, uint64_t byte_size,
                     void* mapping, int fd)
      : name_(std::move(name)),
        key_(std::move(key)),
        offset_(offset),
        byte_size_(byte_size),
        mapping_(mapping),
        fd_(fd) {}

  std::string name_, key_;
  uint64_t offset_, byte_size_;
  void* mapping_;
  int fd_;  // kept open for CheckNotShrunk
};

// What a status request reports of one region.
struct SharedMemoryRegionStatus {
  std::string name, key;
  uint64_t offset = 0, byte_size = 0;
};

class SharedMemoryRegistry {
 public:
  // ALREADY_EXISTS when `name` is registered; errors of SharedMemoryRegion::Open.
  Status Register(const std::string& name, const std::string& key, uint64_t offset,
                  uint64_t byte_size);
  // "" unregisters every region. An unknown name is not an error (as in Triton): the region
  // is gone either way.
  void Unregister(const std::string& name);
  // "" lists every region (by name); NOT_FOUND for an unknown name.
  StatusOr<std::vector<SharedMemoryRegionStatus>> List(const std::string& name) const;
  // INVALID_ARGUMENT naming `what` and the registered regions when `name` is not registered.
  StatusOr<std::shared_ptr<const SharedMemoryRegion>> Find(const std::string& name,
                                                           const std::string& what) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const SharedMemoryRegion>> regions_;
};

// A tensor's place in shared memory as a request names it: the parameters
// shared_memory_region, shared_memory_offset (default 0) and shared_memory_byte_size.
struct SharedMemoryParameters {
  std::string region;
  std::optional<uint64_t> offset;
  std::optional<uint64_t> byte_size;
};

// A resolved place: the region held for the request, and the byte range in it.
struct SharedMemorySlice {
  std::shared_ptr<const SharedMemoryRegion> region;
  uint64_t offset = 0;
  uint64_t byte_size = 0;
};

// Looks the region up and checks [offset, offset + byte_size) lies inside it. An input must
// give shared_memory_byte_size; an output without one gets the rest of the region.
StatusOr<SharedMemorySlice> ResolveSharedMemory(const SharedMemoryRegistry& registry,
                                                const SharedMemoryParameters& parameters,
                                                bool is_input, const std::string& what);

// The input tensor of dtype and shape from its slice (copied out; the byte size must be the
// tensor's, BYTES as 4-byte lengths before each element).
StatusOr<Tensor> TensorFromSharedMemory(const SharedMemorySlice& slice, DataType dtype,
                                        const TensorShape& shape, const std::string& what);

// Writes the output tensor's raw bytes at the start of its slice; INVALID_ARGUMENT when they do
// not fit. Returns the bytes written.
StatusOr<uint64_t> WriteTensorToSharedMemory(const SharedMemorySlice& slice, const Tensor& tensor,
                                             const std::string& what);

// The answer to every CUDA shared memory call.
Status CudaSharedMemoryUnsupported();

}  // namespace tern
