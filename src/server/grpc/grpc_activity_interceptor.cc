#include "server/grpc/grpc_activity_interceptor.h"

namespace tern {
namespace {

class ActivityInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ActivityInterceptor(ActivityTracker* tracker) : tracker_(tracker) {
    tracker_->RequestStarted();
  }
  ~ActivityInterceptor() override { tracker_->RequestFinished(); }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }

 private:
  ActivityTracker* tracker_;
};

class ActivityInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ActivityInterceptorFactory(ActivityTracker* tracker) : tracker_(tracker) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new ActivityInterceptor(tracker_);
  }

 private:
  ActivityTracker* tracker_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeActivityInterceptorFactory(ActivityTracker* tracker) {
  return std::make_unique<ActivityInterceptorFactory>(tracker);
}

}  // namespace tern
