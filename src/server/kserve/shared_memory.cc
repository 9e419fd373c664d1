#include "server/kserve/shared_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"
#include "server/kserve/kserve_tensor.h"

namespace tern {
namespace {

std::string Errno() { return std::strerror(errno); }

std::string Describe(const SharedMemoryRegion& r) {
  return "shared memory region '" + r.name() + "' (key '" + r.key() + "', " +
         std::to_string(r.byte_size()) + " bytes)";
}

}  // namespace

StatusOr<std::shared_ptr<SharedMemoryRegion>> SharedMemoryRegion::Open(const std::string& name,
                                                                       const std::string& key,
                                                                       uint64_t offset,
                                                                       uint64_t byte_size) {
  const std::string what = "shared memory region '" + name + "'";
  if (name.empty()) return InvalidArgument("a shared memory region needs a name");
  if (byte_size == 0) return InvalidArgument(what + ": byte_size must be greater than 0");
  if (offset > UINT64_MAX - byte_size) {
    return InvalidArgument(what + ": offset " + std::to_string(offset) + " + byte_size " +
                           std::to_string(byte_size) + " overflows");
  }
  const int fd = shm_open(key.c_str(), O_RDWR, 0);
  if (fd < 0) {
    return InvalidArgument(what + ": cannot open shared memory key '" + key + "': " + Errno());
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const std::string error = Errno();
    close(fd);
    return InvalidArgument(what + ": cannot stat shared memory key '" + key + "': " + error);
  }
  // Mapping past the object's end would turn the first access there into SIGBUS.
  const uint64_t end = offset + byte_size;
  if (static_cast<uint64_t>(st.st_size) < end) {
    close(fd);
    return InvalidArgument(what + ": offset " + std::to_string(offset) + " + byte_size " +
                           std::to_string(byte_size) + " = " + std::to_string(end) +
                           " bytes, but shared memory key '" + key + "' has only " +
                           std::to_string(st.st_size));
  }
  // From 0, since mmap's offset must be page-aligned and the region's need not be.
  void* mapping = mmap(nullptr, end, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mapping == MAP_FAILED) {
    const std::string error = Errno();
    close(fd);
    return InvalidArgument(what + ": cannot map " + std::to_string(end) +
                           " bytes of shared memory key '" + key + "': " + error);
  }
  return std::shared_ptr<SharedMemoryRegion>(
      new SharedMemoryRegion(name, key, offset, byte_size, mapping, fd));
}

Status SharedMemoryRegion::CheckNotShrunk() const {
  struct stat st {};
  if (fstat(fd_, &st) != 0) {
    return InvalidArgument("cannot stat shared memory key '" + key_ + "' of region '" + name_ +
                           "': " + Errno());
  }
  const uint64_t end = offset_ + byte_size_;
  if (static_cast<uint64_t>(st.st_size) < end) {
    return InvalidArgument("shared memory key '" + key_ + "' of region '" + name_ +
                           "' has shrunk to " + std::to_string(st.st_size) +
                           " bytes since it was registered (the region needs " +
                           std::to_string(end) + "); register it again");
  }
  return Status::Ok();
}

SharedMemoryRegion::~SharedMemoryRegion() {
  munmap(mapping_, offset_ + byte_size_);
  close(fd_);
}

Status SharedMemoryRegistry::Register(const std::string& name, const std::string& key,
                                      uint64_t offset, uint64_t byte_size) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (regions_.count(name) > 0) {
      return Status(StatusCode::kAlreadyExists, "shared memory region '" + name +
                                                    "' is already registered; unregister it first");
    }
  }
  // Opened outside the lock: shm_open and mmap are system calls other requests need not wait on.
  TERN_ASSIGN_OR_RETURN(auto region, SharedMemoryRegion::Open(name, key, offset, byte_size));
  std::lock_guard<std::mutex> lock(mu_);
  if (!regions_.emplace(name, std::move(region)).second) {
    return Status(StatusCode::kAlreadyExists,
                  "shared memory region '" + name + "' is already registered; unregister it first");
  }
  TERN_VLOG(1) << "registered system shared memory region '" << name << "': key '" << key
               << "', offset " << offset << ", " << byte_size << " bytes";
  return Status::Ok();
}

void SharedMemoryRegistry::Unregister(const std::string& name) {
  std::map<std::string, std::shared_ptr<const SharedMemoryRegion>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (name.empty()) {
      dropped.swap(regions_);
    } else if (auto it = regions_.find(name); it != regions_.end()) {
      dropped.emplace(it->first, std::move(it->second));
      regions_.erase(it);
    }
  }
  for (const auto& [dropped_name, region] : dropped) {
    TERN_VLOG(1) << "unregistered system shared memory region '" << dropped_name << "'";
  }
  // `dropped` unmaps here, outside the lock, unless a request still holds a region.
}

StatusOr<std::vector<SharedMemoryRegionStatus>> SharedMemoryRegistry::List(
    const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SharedMemoryRegionStatus> out;
  for (const auto& [key, r] : regions_) {
    if (name.empty() || name == key) {
      out.push_back({r->name(), r->key(), r->offset(), r->byte_size()});
    }
  }
  if (!name.empty() && out.empty()) {
    return NotFound("no system shared memory region '" + name + "' is registered");
  }
  return out;
}

StatusOr<std::shared_ptr<const SharedMemoryRegion>> SharedMemoryRegistry::Find(
    const std::string& name, const std::string& what) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = regions_.find(name);
  if (it != regions_.end()) return it->second;
  std::string known;
  for (const auto& [key, r] : regions_) known += (known.empty() ? "" : ", ") + key;
  return InvalidArgument(
      what + " names shared memory region '" + name +
      "', which is not registered (registered: " + (known.empty() ? "none" : known) + ")");
}

StatusOr<SharedMemorySlice> ResolveSharedMemory(const SharedMemoryRegistry& registry,
                                                const SharedMemoryParameters& parameters,
                                                bool is_input, const std::string& what) {
  SharedMemorySlice slice;
  TERN_ASSIGN_OR_RETURN(slice.region, registry.Find(parameters.region, what));
  const uint64_t size = slice.region->byte_size();
  slice.offset = parameters.offset.value_or(0);
  if (slice.offset > size) {
    return InvalidArgument(what + ": shared_memory_offset " + std::to_string(slice.offset) +
                           " is past the end of " + Describe(*slice.region));
  }
  if (!parameters.byte_size) {
    if (is_input) {
      return InvalidArgument(what + " names shared memory region '" + parameters.region +
                             "' but no shared_memory_byte_size");
    }
    slice.byte_size = size - slice.offset;
    return slice;
  }
  slice.byte_size = *parameters.byte_size;
  if (slice.byte_size > size - slice.offset) {
    return InvalidArgument(what + ": shared_memory_offset " + std::to_string(slice.offset) +
                           " + shared_memory_byte_size " + std::to_string(slice.byte_size) +
                           " exceeds " + Describe(*slice.region));
  }
  return slice;
}

StatusOr<Tensor> TensorFromSharedMemory(const SharedMemorySlice& slice, DataType dtype,
                                        const TensorShape& shape, const std::string& what) {
  TERN_RETURN_IF_ERROR(slice.region->CheckNotShrunk().WithContext(what));
  const std::string_view bytes(slice.region->data() + slice.offset, slice.byte_size);
  return TensorFromRaw(dtype, shape, bytes,
                       what + " (in shared memory region '" + slice.region->name() + "')");
}

StatusOr<uint64_t> WriteTensorToSharedMemory(const SharedMemorySlice& slice, const Tensor& tensor,
                                             const std::string& what) {
  const std::string raw = TensorToRaw(tensor);
  if (raw.size() > slice.byte_size) {
    return InvalidArgument(what + ": the result " + tensor.shape().DebugString() + " of " +
                           DataTypeName(tensor.dtype()) + " needs " + std::to_string(raw.size()) +
                           " bytes, but shared_memory_byte_size gives " +
                           std::to_string(slice.byte_size) + " in " + Describe(*slice.region));
  }
  TERN_RETURN_IF_ERROR(slice.region->CheckNotShrunk().WithContext(what));
  if (!raw.empty()) std::memcpy(slice.region->data() + slice.offset, raw.data(), raw.size());
  return raw.size();
}

Status CudaSharedMemoryUnsupported() {
  return Unimplemented(
      "CUDA shared memory is not supported on this server (Tern runs on the CPU); use system "
      "shared memory (/v2/systemsharedmemory) or send tensors in the request");
}

}  // namespace tern
