#include "server/http/rest_router.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tern {
namespace {

// Answers with its own name, so a test can see which handler a path reached.
class NamedHandler : public RestHandler {
 public:
  explicit NamedHandler(std::string name) : name_(std::move(name)) {}
  void HandleAsync(const RestRequest&, RestDone done) const override {
    RestResponse r;
    r.body = name_;
    done(std::move(r));
  }

 private:
  std::string name_;
};

// Answers on its own thread after HandleAsync returned, as a predict waiting for its batch does.
class LaterHandler : public RestHandler {
 public:
  ~LaterHandler() override {
    for (auto& t : threads_) t.join();
  }
  void HandleAsync(const RestRequest& request, RestDone done) const override {
    threads_.emplace_back([target = std::string(request.target), done = std::move(done)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      RestResponse r;
      r.status_code = 503;
      r.body = "later " + target;
      done(std::move(r));
    });
  }

 private:
  mutable std::vector<std::thread> threads_;  // one test thread calls HandleAsync
};

TEST(RestHandler, HandleWaitsForAnAnswerGivenOnAnotherThread) {
  LaterHandler later;
  RestResponse r = later.Handle("GET", "/x", "");
  EXPECT_EQ(r.status_code, 503);
  EXPECT_EQ(r.body, "later /x");
}

TEST(RestRouter, PicksByLeadingPathSegmentElseFallback) {
  NamedHandler v1("v1"), v2("v2"), metrics("metrics");
  auto router = RestRouter::Create({{{"/v2", &v2}, {"/metrics", &metrics}}, &v1});
  EXPECT_EQ(router->Handle("GET", "/v2", "").body, "v2");
  EXPECT_EQ(router->Handle("GET", "/v2/models/m/ready", "").body, "v2");
  EXPECT_EQ(router->Handle("GET", "/v2?x=1", "").body, "v2");
  EXPECT_EQ(router->Handle("GET", "/v2x", "").body, "v1");
  EXPECT_EQ(router->Handle("GET", "/metrics", "").body, "metrics");
  EXPECT_EQ(router->Handle("POST", "/v1/models/m:predict", "{}").body, "v1");
  EXPECT_EQ(router->Handle("GET", "/", "").body, "v1");
}

TEST(RestRouter, AsyncGoesToTheSameHandler) {
  NamedHandler v1("v1"), v2("v2");
  auto router = RestRouter::Create({{{"/v2", &v2}}, &v1});
  std::string answered;
  router->HandleAsync(RestRequest{"GET", "/v2/health/ready", "", {}},
                      [&answered](RestResponse r) { answered = r.body; });
  EXPECT_EQ(answered, "v2");
}

}  // namespace
}  // namespace tern
