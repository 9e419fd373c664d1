// A gRPC server interceptor that tells an ActivityTracker when each RPC starts and ends (the
// interceptor lives exactly as long as its RPC). The tracker is not owned; thread-safe.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <memory>

#include "server/core/activity_tracker.h"

namespace tern {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeActivityInterceptorFactory(ActivityTracker* tracker);

}  // namespace tern
