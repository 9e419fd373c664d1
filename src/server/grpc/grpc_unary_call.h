// One unary RPC on gRPC's callback API with raw bytes in and out, for the front ends whose
// answer may come from a batch thread after the handler returned (the request holds no thread
// while it waits). Tern parses the request itself, so bytes that are not the request message get
// INVALID_ARGUMENT naming the message type instead of gRPC's bare error. Every asynchronous model
// RPC (TF Serving's Predict, Classify, Regress, MultiInference; KServe's ModelInfer) goes through
// ServeRawUnary: drain gate, parsing, metrics hook and answer are written once, here.
// Header-only templates; each call is owned by the shared_ptrs its pending work holds.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "runtime/kernel.h"
#include "server/grpc/grpc_drain_gate.h"
#include "server/grpc/grpc_status.h"

namespace tern {

// The gRPC deadline (system clock) as the runtime's steady-clock deadline.
inline RunOptions RunOptionsForDeadline(std::chrono::system_clock::time_point deadline) {
  RunOptions options;
  if (deadline != std::chrono::system_clock::time_point::max()) {
    options.deadline = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           deadline - std::chrono::system_clock::now());
  }
  return options;
}

template <typename Request, typename Response>
struct UnaryCall {
  Request request;
  Response response;
  RunOptions options;  // the RPC's deadline
  // Answers the RPC: `response` when status is OK, else the status. Exactly once; the caller
  // must hold a shared_ptr to this call while it runs.
  std::function<void(const Status&)> finish;
};

// What ServeRawUnary needs to know of one method.
struct UnaryMethod {
  std::string_view name;          // "Predict": a drain refusal names it; must outlive the call
  std::string_view request_type;  // "tensorflow.serving.PredictRequest", for a parse error
  GrpcDrainGate* gate = nullptr;  // nullable: always open
  // Where a call that arrives once the drain began is held (and then refused UNAVAILABLE):
  // Predict is held before its tensors are parsed; the others are parsed first, so a refused
  // call still names its model to the request metrics, and bytes that do not parse get
  // INVALID_ARGUMENT even while draining.
  enum class Admission { kBeforeParsing, kAfterParsing };
  Admission admission = Admission::kAfterParsing;
};

// Admits the call through method.gate, parses the request and calls start(call). When start
// returns an error the RPC fails with it at once; otherwise start (or work it scheduled, holding
// `call`) must call call->finish. on_finish (may be empty) sees the request (default-valued if
// it was refused or did not parse) and the final gRPC status just before the answer is sent
// (request metrics).
template <typename Request, typename Response, typename Start>
grpc::ServerUnaryReactor* ServeRawUnary(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response_bytes, const UnaryMethod& method,
    std::function<void(const Request&, const grpc::Status&)> on_finish, Start start) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto call = std::make_shared<UnaryCall<Request, Response>>();
  call->options = RunOptionsForDeadline(context->deadline());
  // A raw pointer: the closure lives inside the call, and whoever calls finish holds the call.
  UnaryCall<Request, Response>* self = call.get();
  call->finish = [self, reactor, response_bytes,
                  on_finish = std::move(on_finish)](const Status& status) {
    grpc::Status rpc_status = ToGrpcStatus(status);
    if (rpc_status.ok()) {
      bool own_buffer = false;
      grpc::ByteBuffer out;
      rpc_status =
          grpc::SerializationTraits<Response>::Serialize(self->response, &out, &own_buffer);
      if (rpc_status.ok()) response_bytes->Swap(&out);
    }
    if (on_finish) on_finish(self->request, rpc_status);
    reactor->Finish(rpc_status);  // response_bytes is released after this
  };
  // A held call's refusal holds the call; its client waits meanwhile instead of sending more.
  const auto admitted = [&] {
    return method.gate == nullptr ||
           method.gate->AdmitAsync(method.name, [call](const Status& s) { call->finish(s); });
  };
  using Admission = UnaryMethod::Admission;
  if (method.admission == Admission::kBeforeParsing && !admitted()) return reactor;
  grpc::ByteBuffer bytes(*request_bytes);  // shares the slices; Deserialize consumes its input
  if (!grpc::SerializationTraits<Request>::Deserialize(&bytes, &call->request).ok()) {
    call->finish(InvalidArgument("the request body is not a valid " +
                                 std::string(method.request_type) + " (" +
                                 std::to_string(request_bytes->Length()) + " bytes)"));
    return reactor;
  }
  if (method.admission == Admission::kAfterParsing && !admitted()) return reactor;
  if (Status started = start(call); !started.ok()) call->finish(started);
  return reactor;
}

}  // namespace tern
