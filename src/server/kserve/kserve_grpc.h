// inference.GRPCInferenceService (KServe v2 over gRPC) on top of KServeService. Stateless
// adapter; thread-safe. ModelInfer is asynchronous (callback API). The KServeService and the
// drain gate (nullable: always open) are not owned and must outlive it. ServerLive and
// ServerReady are answered while draining.
#pragma once

#include "kserve/grpc_predict_v2.grpc.pb.h"
#include "server/grpc/grpc_drain_gate.h"
#include "server/kserve/kserve_service.h"

namespace tern {

class GrpcInferenceService final
    : public inference::GRPCInferenceService::WithRawCallbackMethod_ModelInfer<
          inference::GRPCInferenceService::Service> {
 public:
  explicit GrpcInferenceService(const KServeService* service, GrpcDrainGate* gate = nullptr)
      : service_(service), gate_(gate) {}

  grpc::Status ServerLive(grpc::ServerContext*, const inference::ServerLiveRequest*,
                          inference::ServerLiveResponse* response) override;
  grpc::Status ServerReady(grpc::ServerContext*, const inference::ServerReadyRequest*,
                           inference::ServerReadyResponse* response) override;
  grpc::Status ModelReady(grpc::ServerContext*, const inference::ModelReadyRequest* request,
                          inference::ModelReadyResponse* response) override;
  grpc::Status ServerMetadata(grpc::ServerContext*, const inference::ServerMetadataRequest*,
                              inference::ServerMetadataResponse* response) override;
  grpc::Status ModelMetadata(grpc::ServerContext*, const inference::ModelMetadataRequest* request,
                             inference::ModelMetadataResponse* response) override;
  // gRPC's callback API with raw bytes (grpc_unary_call.h): a request waiting for its batch
  // holds no thread, and bytes that are not a ModelInferRequest get INVALID_ARGUMENT.
  grpc::ServerUnaryReactor* ModelInfer(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request_bytes,
                                       grpc::ByteBuffer* response_bytes) override;
  grpc::Status ModelConfig(grpc::ServerContext*, const inference::ModelConfigRequest* request,
                           inference::ModelConfigResponse* response) override;

  // Triton's statistics and repository extensions (kserve_grpc_extensions.cc).
  grpc::Status ModelStatistics(grpc::ServerContext* context,
                               const inference::ModelStatisticsRequest* request,
                               inference::ModelStatisticsResponse* response) override;
  grpc::Status RepositoryIndex(grpc::ServerContext* context,
                               const inference::RepositoryIndexRequest* request,
                               inference::RepositoryIndexResponse* response) override;
  grpc::Status RepositoryModelLoad(grpc::ServerContext* context,
                                   const inference::RepositoryModelLoadRequest* request,
                                   inference::RepositoryModelLoadResponse* response) override;
  grpc::Status RepositoryModelUnload(grpc::ServerContext* context,
                                     const inference::RepositoryModelUnloadRequest* request,
                                     inference::RepositoryModelUnloadResponse* response) override;

  // Triton's system shared memory extension; the CUDA calls answer "not supported"
  // (kserve_grpc_shared_memory.cc).
  grpc::Status SystemSharedMemoryStatus(
      grpc::ServerContext* context, const inference::SystemSharedMemoryStatusRequest* request,
      inference::SystemSharedMemoryStatusResponse* response) override;
  grpc::Status SystemSharedMemoryRegister(
      grpc::ServerContext* context, const inference::SystemSharedMemoryRegisterRequest* request,
      inference::SystemSharedMemoryRegisterResponse* response) override;
  grpc::Status SystemSharedMemoryUnregister(
      grpc::ServerContext* context, const inference::SystemSharedMemoryUnregisterRequest* request,
      inference::SystemSharedMemoryUnregisterResponse* response) override;
  grpc::Status CudaSharedMemoryStatus(grpc::ServerContext* context,
                                      const inference::CudaSharedMemoryStatusRequest* request,
                                      inference::CudaSharedMemoryStatusResponse* response) override;
  grpc::Status CudaSharedMemoryRegister(
      grpc::ServerContext* context, const inference::CudaSharedMemoryRegisterRequest* request,
      inference::CudaSharedMemoryRegisterResponse* response) override;
  grpc::Status CudaSharedMemoryUnregister(
      grpc::ServerContext* context, const inference::CudaSharedMemoryUnregisterRequest* request,
      inference::CudaSharedMemoryUnregisterResponse* response) override;

  // Triton's trace and logging extensions (kserve_grpc_settings.cc).
  grpc::Status TraceSetting(grpc::ServerContext* context,
                            const inference::TraceSettingRequest* request,
                            inference::TraceSettingResponse* response) override;
  grpc::Status LogSettings(grpc::ServerContext* context,
                           const inference::LogSettingsRequest* request,
                           inference::LogSettingsResponse* response) override;

 private:
  const KServeService* service_;
  GrpcDrainGate* gate_;
};

}  // namespace tern
