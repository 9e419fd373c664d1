#include "server/grpc/grpc_drain_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace tern {
namespace {

using Clock = std::chrono::steady_clock;

void WaitUntilHeld(const GrpcDrainGate& gate, int64_t count) {
  const auto give_up = Clock::now() + std::chrono::seconds(10);
  while (gate.held() < count && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(gate.held(), count);
}

TEST(GrpcDrainGate, OpenGateAdmitsAtOnce) {
  GrpcDrainGate gate;
  bool refused = false;
  EXPECT_TRUE(gate.AdmitAsync("Predict", [&](Status) { refused = true; }));
  EXPECT_TRUE(gate.Admit("Classify", Clock::now() + std::chrono::hours(1)).ok());
  EXPECT_FALSE(refused);
  EXPECT_FALSE(gate.closed());
  grpc::ServerContext context;
  EXPECT_TRUE(Admit(nullptr, "Regress", &context).ok());  // no gate: always open
}

TEST(GrpcDrainGate, HeldAsyncCallsAreRefusedUnavailableOnRelease) {
  GrpcDrainGate gate;
  gate.Close();
  std::vector<Status> answers;
  EXPECT_FALSE(gate.AdmitAsync("Predict", [&](Status s) { answers.push_back(s); }));
  EXPECT_FALSE(gate.AdmitAsync("Predict", [&](Status s) { answers.push_back(s); }));
  EXPECT_EQ(gate.held(), 2);
  EXPECT_TRUE(answers.empty()) << "a held call is answered only on Release";
  gate.Release();
  ASSERT_EQ(answers.size(), 2u);
  for (const Status& s : answers) {
    EXPECT_EQ(s.code(), StatusCode::kUnavailable);
    EXPECT_NE(s.message().find("Predict was not run"), std::string::npos) << s.message();
  }
  EXPECT_EQ(gate.held(), 0);
  // After Release a call is refused at once.
  EXPECT_FALSE(gate.AdmitAsync("Predict", [&](Status s) { answers.push_back(s); }));
  EXPECT_EQ(answers.size(), 3u);
  EXPECT_EQ(gate.Admit("Classify", Clock::now() + std::chrono::hours(1)).code(),
            StatusCode::kUnavailable);
}

TEST(GrpcDrainGate, SyncCallIsHeldUntilReleaseOrItsDeadline) {
  GrpcDrainGate gate;
  gate.Close();
  std::atomic<bool> answered{false};
  Status status;
  std::thread call([&] {
    status = gate.Admit("GetModelMetadata", Clock::now() + std::chrono::hours(1));
    answered = true;
  });
  WaitUntilHeld(gate, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(answered.load()) << "held until Release";
  gate.Release();
  call.join();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("GetModelMetadata"), std::string::npos) << status.message();
  EXPECT_EQ(gate.held(), 0);

  // A call whose deadline has passed is not held (its client has stopped waiting).
  GrpcDrainGate never_released;
  never_released.Close();
  EXPECT_EQ(never_released.Admit("Regress", Clock::now()).code(), StatusCode::kUnavailable);
  EXPECT_EQ(never_released.held(), 0);
}

}  // namespace
}  // namespace tern
