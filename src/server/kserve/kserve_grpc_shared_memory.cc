// GrpcInferenceService's shared memory calls: Triton's system shared memory extension over
// KServeService's registry, and the CUDA calls, which this server does not support. They pass
// no drain gate: they touch no model, and a client finishing its requests during a drain must
// still be able to unregister.
#include "server/grpc/grpc_status.h"
#include "server/kserve/kserve_grpc.h"

namespace tern {

grpc::Status GrpcInferenceService::SystemSharedMemoryStatus(
    grpc::ServerContext*, const inference::SystemSharedMemoryStatusRequest* request,
    inference::SystemSharedMemoryStatusResponse* response) {
  auto regions = service_->shared_memory().List(request->name());
  if (!regions.ok()) return ToGrpcStatus(regions.status());
  for (const auto& r : *regions) {
    auto& status = (*response->mutable_regions())[r.name];
    status.set_name(r.name);
    status.set_key(r.key);
    status.set_offset(r.offset);
    status.set_byte_size(r.byte_size);
  }
  return grpc::Status::OK;
}

grpc::Status GrpcInferenceService::SystemSharedMemoryRegister(
    grpc::ServerContext*, const inference::SystemSharedMemoryRegisterRequest* request,
    inference::SystemSharedMemoryRegisterResponse*) {
  return ToGrpcStatus(service_->shared_memory().Register(request->name(), request->key(),
                                                         request->offset(), request->byte_size()));
}

grpc::Status GrpcInferenceService::SystemSharedMemoryUnregister(
    grpc::ServerContext*, const inference::SystemSharedMemoryUnregisterRequest* request,
    inference::SystemSharedMemoryUnregisterResponse*) {
  service_->shared_memory().Unregister(request->name());
  return grpc::Status::OK;
}

// Listing or unregistering every CUDA region succeeds (there are none), as a Triton built without
// GPUs answers, since tools such as perf_analyzer clean up both kinds; naming or registering a
// CUDA region is refused.
grpc::Status GrpcInferenceService::CudaSharedMemoryStatus(
    grpc::ServerContext*, const inference::CudaSharedMemoryStatusRequest* request,
    inference::CudaSharedMemoryStatusResponse*) {
  if (request->name().empty()) return grpc::Status::OK;
  return ToGrpcStatus(CudaSharedMemoryUnsupported());
}

grpc::Status GrpcInferenceService::CudaSharedMemoryRegister(
    grpc::ServerContext*, const inference::CudaSharedMemoryRegisterRequest*,
    inference::CudaSharedMemoryRegisterResponse*) {
  return ToGrpcStatus(CudaSharedMemoryUnsupported());
}

grpc::Status GrpcInferenceService::CudaSharedMemoryUnregister(
    grpc::ServerContext*, const inference::CudaSharedMemoryUnregisterRequest* request,
    inference::CudaSharedMemoryUnregisterResponse*) {
  if (request->name().empty()) return grpc::Status::OK;
  return ToGrpcStatus(CudaSharedMemoryUnsupported());
}

}  // namespace tern
