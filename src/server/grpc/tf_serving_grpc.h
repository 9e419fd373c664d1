// TF Serving's gRPC services (tensorflow.serving.PredictionService and ModelService) over
// InferenceCore. Stateless adapters; thread-safe. The InferenceCore and RequestMetrics
// (nullable: no metrics) and the drain gate (nullable: always open) are not owned. Predict,
// Classify, Regress and MultiInference use gRPC's callback API: a request waiting for its batch
// holds no thread; the batcher's completion
// finishes the RPC.
#pragma once

#include "runtime/format/tensor_proto.h"
#include "server/core/inference_core.h"
#include "server/grpc/grpc_drain_gate.h"
#include "server/metrics/request_metrics.h"
#include "serving/model_service.grpc.pb.h"
#include "serving/prediction_service.grpc.pb.h"

namespace tern {

class GrpcPredictionService final
    : public tensorflow::serving::PredictionService::WithRawCallbackMethod_Predict<
          tensorflow::serving::PredictionService::WithRawCallbackMethod_Classify<
              tensorflow::serving::PredictionService::WithRawCallbackMethod_Regress<
                  tensorflow::serving::PredictionService::WithRawCallbackMethod_MultiInference<
                      tensorflow::serving::PredictionService::Service>>>> {
 public:
  // output_encoding: how Predict writes its output tensors; TF Serving's default is the typed
  // fields (float_val, ...), --enable_serialization_as_tensor_content picks tensor_content.
  GrpcPredictionService(InferenceCore* service, const RequestMetrics* metrics,
                        GrpcDrainGate* gate = nullptr,
                        TensorProtoEncoding output_encoding = TensorProtoEncoding::kTypedFields)
      : service_(service), metrics_(metrics), gate_(gate), output_encoding_(output_encoding) {}

  // Raw bytes in and out: Tern parses the request itself, so bytes that are not a
  // PredictRequest get INVALID_ARGUMENT with a message (gRPC's callback path would answer
  // UNIMPLEMENTED).
  grpc::ServerUnaryReactor* Predict(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request_bytes,
                                    grpc::ByteBuffer* response_bytes) override;
  // Classify, Regress and MultiInference are asynchronous the same way (grpc_unary_call.h).
  grpc::ServerUnaryReactor* Classify(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request_bytes,
                                     grpc::ByteBuffer* response_bytes) override;
  grpc::ServerUnaryReactor* Regress(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request_bytes,
                                    grpc::ByteBuffer* response_bytes) override;
  grpc::ServerUnaryReactor* MultiInference(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request_bytes,
                                           grpc::ByteBuffer* response_bytes) override;
  grpc::Status GetModelMetadata(grpc::ServerContext* context,
                                const tensorflow::serving::GetModelMetadataRequest* request,
                                tensorflow::serving::GetModelMetadataResponse* response) override;

 private:
  InferenceCore* service_;
  const RequestMetrics* metrics_;
  GrpcDrainGate* gate_;
  TensorProtoEncoding output_encoding_;
};

// Neither the InferenceCore nor the ModelManager is owned.
class GrpcModelService final : public tensorflow::serving::ModelService::Service {
 public:
  GrpcModelService(InferenceCore* service, ModelManager* manager, const RequestMetrics* metrics,
                   GrpcDrainGate* gate = nullptr)
      : service_(service), manager_(manager), metrics_(metrics), gate_(gate) {}

  grpc::Status GetModelStatus(grpc::ServerContext* context,
                              const tensorflow::serving::GetModelStatusRequest* request,
                              tensorflow::serving::GetModelStatusResponse* response) override;
  grpc::Status HandleReloadConfigRequest(
      grpc::ServerContext* context, const tensorflow::serving::ReloadConfigRequest* request,
      tensorflow::serving::ReloadConfigResponse* response) override;

 private:
  InferenceCore* service_;
  ModelManager* manager_;
  const RequestMetrics* metrics_;
  GrpcDrainGate* gate_;
};

}  // namespace tern
