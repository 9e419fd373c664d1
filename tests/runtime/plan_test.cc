#include "runtime/plan.h"

#include <gtest/gtest.h>

#include "runtime/branch_mode.h"
#include "runtime/format/tensor_proto.h"
#include "runtime/function_library.h"
#include "runtime/intra_op.h"
#include "runtime/memory_account.h"
#include "runtime/session.h"
#include "runtime/state/resources.h"

namespace tern {
namespace {

tensorflow::NodeDef* AddNode(tensorflow::GraphDef* g, const std::string& name,
                             const std::string& op, std::vector<std::string> inputs = {}) {
  auto* n = g->add_node();
  n->set_name(name);
  n->set_op(op);
  for (auto& i : inputs) n->add_input(i);
  return n;
}

// A float Placeholder node: the graph's input `name`.
void AddFloatFeed(tensorflow::GraphDef* g, const std::string& name) {
  (*AddNode(g, name, "Placeholder")->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
}

void SetFloatConst(tensorflow::NodeDef* n, float value) {
  (*n->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  TensorToProto(Tensor::Scalar<float>(value), (*n->mutable_attr())["value"].mutable_tensor());
}

// y = x * 0.5 + 2, plus an unreachable node with an op Tern does not have.
tensorflow::GraphDef HalfPlusTwo() {
  tensorflow::GraphDef g;
  AddFloatFeed(&g, "x");
  SetFloatConst(AddNode(&g, "a", "Const"), 0.5f);
  SetFloatConst(AddNode(&g, "b", "Const"), 2.0f);
  AddNode(&g, "ax", "Mul", {"a", "x"});
  AddNode(&g, "y", "AddV2", {"ax", "b:0"});
  AddNode(&g, "unused", "SomeOpTernLacks", {"y"});
  return g;
}

TEST(PlanTest, RunsPrunedGraph) {
  auto session = Session::Create(HalfPlusTwo());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto out = (*session)->Run({{"x:0", Tensor::FromVector<float>({1, 2, 5}, TensorShape{3})}},
                             {"y:0"}, {}, RunOptions());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ((*out)[0].num_elements(), 3);
  EXPECT_FLOAT_EQ((*out)[0].flat<float>()[0], 2.5f);
  EXPECT_FLOAT_EQ((*out)[0].flat<float>()[2], 4.5f);
}

TEST(PlanTest, OpTimingsCountEveryStepRunByOp) {
  auto session = Session::Create(HalfPlusTwo());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  OpTimings timings;
  RunOptions options;
  options.op_timings = &timings;
  for (int i = 0; i < 2; ++i) {
    auto out = (*session)->Run({{"x:0", Tensor::Scalar<float>(1.0f)}}, {"y:0"}, {}, options);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  }
  // Pruned: the unused node never runs; the fed placeholder is not a step.
  EXPECT_EQ(timings.by_op.count("SomeOpTernLacks"), 0u);
  EXPECT_EQ(timings.by_op["Mul"].calls, 2);
  EXPECT_EQ(timings.by_op["AddV2"].calls, 2);
  // The Consts are bound once, when the plan is built: no step runs them.
  EXPECT_EQ(timings.by_op.count("Const"), 0u);
  for (const auto& [op, entry] : timings.by_op) EXPECT_GE(entry.seconds, 0.0) << op;
}

TEST(PlanTest, ConstantsAreBoundAtBuildTimeAndStillFetchedAndFed) {
  auto session = Session::Create(HalfPlusTwo());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  PlanSpec spec;
  spec.feeds = {"x:0"};
  spec.fetches = {"y:0", "a:0", "b:0"};
  auto plan = (*session)->Prepare(spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ((*plan)->StepOps(), std::vector<std::string>({"Mul", "AddV2"}));
  for (int run = 0; run < 2; ++run) {  // the bound values survive a run that released them
    auto out = (*plan)->Run({Tensor::Scalar<float>(4.0f)}, RunOptions());
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_FLOAT_EQ((*out)[0].flat<float>()[0], 4.0f);
    EXPECT_FLOAT_EQ((*out)[1].flat<float>()[0], 0.5f);
    EXPECT_FLOAT_EQ((*out)[2].flat<float>()[0], 2.0f);
  }
  // A fed Const is the feed, for its readers and its fetch.
  auto fed =
      (*session)->Run({{"x:0", Tensor::Scalar<float>(4.0f)}, {"b:0", Tensor::Scalar<float>(7.0f)}},
                      {"y:0", "b:0"}, {}, RunOptions());
  ASSERT_TRUE(fed.ok()) << fed.status().ToString();
  EXPECT_FLOAT_EQ((*fed)[0].flat<float>()[0], 9.0f);
  EXPECT_FLOAT_EQ((*fed)[1].flat<float>()[0], 7.0f);
}

TEST(PlanTest, FetchingAFedTensorReturnsTheFeed) {
  auto session = Session::Create(HalfPlusTwo());
  ASSERT_TRUE(session.ok());
  auto out =
      (*session)->Run({{"ax:0", Tensor::Scalar<float>(10.0f)}}, {"y:0", "ax:0"}, {}, RunOptions());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FLOAT_EQ((*out)[0].flat<float>()[0], 12.0f);
  EXPECT_FLOAT_EQ((*out)[1].flat<float>()[0], 10.0f);
}

TEST(PlanTest, UnsupportedOpsFailTheBuildNamingOpAndNode) {
  auto session = Session::Create(HalfPlusTwo());
  ASSERT_TRUE(session.ok());
  auto out =
      (*session)->Run({{"x:0", Tensor::Scalar<float>(1.0f)}}, {"unused:0"}, {}, RunOptions());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(out.status().message().find("SomeOpTernLacks (node 'unused')"), std::string::npos)
      << out.status().message();
}

TEST(PlanTest, FeedOfWrongDtypeIsRejected) {
  auto session = Session::Create(HalfPlusTwo());
  ASSERT_TRUE(session.ok());
  auto out = (*session)->Run({{"x:0", Tensor::Scalar<int64_t>(1)}}, {"y:0"}, {}, RunOptions());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("expects dtype float but got int64"), std::string::npos);
}

TEST(PlanTest, MissingFeedNamesThePlaceholder) {
  auto session = Session::Create(HalfPlusTwo());
  ASSERT_TRUE(session.ok());
  auto out = (*session)->Run({}, {"y:0"}, {}, RunOptions());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("placeholder tensor 'x'"), std::string::npos);
}

TEST(PlanTest, BroadcastErrorIsClear) {
  auto session = Session::Create(HalfPlusTwo());
  ASSERT_TRUE(session.ok());
  auto out = (*session)->Run({{"x:0", Tensor::FromVector<float>({1, 2}, TensorShape{2})},
                              {"b:0", Tensor::FromVector<float>({1, 2, 3}, TensorShape{3})}},
                             {"y:0"}, {}, RunOptions());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("incompatible shapes"), std::string::npos);
  EXPECT_NE(out.status().message().find("node 'y'"), std::string::npos);
}

// A thread's runs share their slot arrays (RunSlots); none may keep a tensor after its run, whether
// it finished or failed half way, nor show one to the next run.
TEST(PlanTest, SlotsKeepNoTensorAfterARunEndsOrFails) {
  auto session = Session::Create(HalfPlusTwo());
  ASSERT_TRUE(session.ok());
  std::vector<float> values(100000, 2.0f);
  const Tensor x = Tensor::FromVector<float>(values, TensorShape{100000});
  const Tensor wrong_b = Tensor::FromVector<float>({1, 2, 3}, TensorShape{3});
  // The first run of each feed and fetch set builds its plan, whose constants stay charged.
  ASSERT_TRUE((*session)->Run({{"x:0", x}}, {"y:0", "ax:0"}, {}, RunOptions()).ok());
  ASSERT_FALSE((*session)->Run({{"x:0", x}, {"b:0", wrong_b}}, {"y:0"}, {}, RunOptions()).ok());
  const int64_t before = TensorMemory::InUseBytes();
  for (int i = 0; i < 3; ++i) {
    {
      auto out = (*session)->Run({{"x:0", x}}, {"y:0", "ax:0"}, {}, RunOptions());
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      EXPECT_FLOAT_EQ((*out)[0].flat<float>()[99999], 3.0f);
    }
    EXPECT_EQ(TensorMemory::InUseBytes(), before);
    // `ax` is computed, then `y` fails.
    auto failed = (*session)->Run({{"x:0", x}, {"b:0", wrong_b}}, {"y:0"}, {}, RunOptions());
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(TensorMemory::InUseBytes(), before);
  }
}

// y = (x * 3 + 1) + x * 0.5: two branches from x, joined by y, which a run may compute side
// by side.
tensorflow::GraphDef TwoBranches() {
  tensorflow::GraphDef g;
  AddFloatFeed(&g, "x");
  SetFloatConst(AddNode(&g, "three", "Const"), 3.0f);
  SetFloatConst(AddNode(&g, "one", "Const"), 1.0f);
  SetFloatConst(AddNode(&g, "half", "Const"), 0.5f);
  AddNode(&g, "a", "Mul", {"x", "three"});
  AddNode(&g, "a1", "AddV2", {"a", "one"});
  AddNode(&g, "b", "Mul", {"x", "half"});
  AddNode(&g, "y", "AddV2", {"a1", "b"});
  return g;
}

// Sets the process-wide threading for one test and puts it back.
class BranchThreading {
 public:
  explicit BranchThreading(BranchPolicy policy) {
    IntraOpThreads::SetLimit(2);
    BranchMode::SetPolicy(policy);
  }
  ~BranchThreading() {
    IntraOpThreads::SetLimit(1);
    BranchMode::SetPolicy(BranchPolicy::kMeasured);
  }
};

// Side by side (on a machine with a second core) or in order, a run computes the same values,
// keeps no tensor once it ends, and a branch's error ends it with that error.
TEST(PlanTest, BranchesSideBySideOrInOrderComputeTheSameAndKeepNothing) {
  auto session = Session::Create(TwoBranches());
  ASSERT_TRUE(session.ok());
  std::vector<float> values(100000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 7);
  const Tensor x = Tensor::FromVector<float>(values, TensorShape{100000});
  const Tensor wrong_half = Tensor::FromVector<float>({1, 2, 3}, TensorShape{3});
  for (BranchPolicy policy :
       {BranchPolicy::kSideBySide, BranchPolicy::kInOrder, BranchPolicy::kMeasured}) {
    const BranchThreading threading(policy);
    // The first run of each feed set builds its plan, whose constants stay charged.
    ASSERT_TRUE((*session)->Run({{"x:0", x}}, {"y:0"}, {}, RunOptions()).ok());
    ASSERT_FALSE(
        (*session)->Run({{"x:0", x}, {"half:0", wrong_half}}, {"y:0"}, {}, RunOptions()).ok());
    const int64_t before = TensorMemory::InUseBytes();
    for (int run = 0; run < 12; ++run) {
      {
        auto out = (*session)->Run({{"x:0", x}}, {"y:0"}, {}, RunOptions());
        ASSERT_TRUE(out.ok()) << out.status().ToString();
        const auto y = (*out)[0].flat<float>();
        for (size_t i = 0; i < values.size(); i += 997) {
          EXPECT_FLOAT_EQ(y[i], values[i] * 3 + 1 + values[i] * 0.5f) << i;
        }
      }
      EXPECT_EQ(TensorMemory::InUseBytes(), before);
      auto failed =
          (*session)->Run({{"x:0", x}, {"half:0", wrong_half}}, {"y:0"}, {}, RunOptions());
      ASSERT_FALSE(failed.ok());
      EXPECT_NE(failed.status().message().find("node 'b'"), std::string::npos)
          << failed.status().ToString();
      EXPECT_EQ(TensorMemory::InUseBytes(), before);
    }
  }
}

TEST(PlanTest, CycleIsReported) {
  tensorflow::GraphDef g;
  AddNode(&g, "a", "Identity", {"b"});
  AddNode(&g, "b", "Identity", {"a"});
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok());
  auto out = (*session)->Run({}, {"a:0"}, {}, RunOptions());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("cycle"), std::string::npos);
}

TEST(PlanTest, ExpiredDeadlineStopsTheRun) {
  auto session = Session::Create(HalfPlusTwo());
  ASSERT_TRUE(session.ok());
  RunOptions options;
  options.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto out = (*session)->Run({{"x:0", Tensor::Scalar<float>(1.0f)}}, {"y:0"}, {}, options);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kDeadlineExceeded);
}

// scale_fn(in, var) = in * read(var), a TF2 function taking a captured variable's handle.
void AddScaleFunction(tensorflow::GraphDef* g) {
  auto* f = g->mutable_library()->add_function();
  f->mutable_signature()->set_name("scale_fn");
  f->mutable_signature()->add_input_arg()->set_name("in");
  f->mutable_signature()->add_input_arg()->set_name("var");
  f->mutable_signature()->add_output_arg()->set_name("out");
  auto* read = f->add_node_def();
  read->set_name("read");
  read->set_op("ReadVariableOp");
  read->add_input("var");
  auto* mul = f->add_node_def();
  mul->set_name("mul");
  mul->set_op("Mul");
  mul->add_input("in");
  mul->add_input("read:value:0");
  (*f->mutable_ret())["out"] = "mul:z:0";
}

// A TF2-style graph: the output comes from a library function called through
// StatefulPartitionedCall, reading a resource variable passed in as an argument.
TEST(PlanTest, CallsLibraryFunctionsWithResourceVariables) {
  tensorflow::GraphDef g;
  AddFloatFeed(&g, "x");
  auto* v = AddNode(&g, "v", "VarHandleOp");
  (*v->mutable_attr())["shared_name"].set_s("scale");
  SetFloatConst(AddNode(&g, "init_value", "Const"), 3.0f);
  AddNode(&g, "init", "AssignVariableOp", {"v", "init_value"});
  SetFloatConst(AddNode(&g, "next_value", "Const"), 4.0f);
  AddNode(&g, "reassign", "AssignVariableOp", {"v", "next_value"});
  auto* call = AddNode(&g, "call", "StatefulPartitionedCall", {"x", "v"});
  (*call->mutable_attr())["f"].mutable_func()->set_name("scale_fn");
  (*call->mutable_attr())["Tout"].mutable_list()->add_type(tensorflow::DT_FLOAT);
  AddScaleFunction(&g);

  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto before =
      (*session)->Run({{"x:0", Tensor::Scalar<float>(2.0f)}}, {"call:0"}, {}, RunOptions());
  ASSERT_FALSE(before.ok());
  EXPECT_NE(before.status().message().find("before it was initialised"), std::string::npos);
  ASSERT_TRUE((*session)->Run({}, {}, {"init"}, RunOptions()).ok());
  auto out = (*session)->Run({{"x:0", Tensor::Scalar<float>(2.0f)}}, {"call:0"}, {}, RunOptions());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FLOAT_EQ((*out)[0].flat<float>()[0], 6.0f);
  // The call binds the handle into the function's plan, whose reads still see a later assign.
  ASSERT_TRUE((*session)->Run({}, {}, {"reassign"}, RunOptions()).ok());
  auto next = (*session)->Run({{"x:0", Tensor::Scalar<float>(2.0f)}}, {"call:0"}, {}, RunOptions());
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_FLOAT_EQ((*next)[0].flat<float>()[0], 8.0f);
}

// A handle bound at build is no feed of the function's plan, and its reads follow every assign
// made after the plan first read it (from another run here).
TEST(PlanTest, BoundHandlesAreNoFeedsAndTheirReadsFollowAssigns) {
  tensorflow::GraphDef g;
  AddScaleFunction(&g);
  SessionResources resources;
  FunctionLibrary library(g.library(), &resources);
  std::shared_ptr<Variable> variable = resources.GetOrCreateVariable("scale");
  const Tensor handle = Tensor::FromResource(variable);
  auto plan = library.Instantiate("scale_fn", {{.index = 1, .handle = &handle}});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto unset = (*plan)->Run({Tensor::Scalar<float>(2.0f)}, RunOptions());
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.status().message().find("before it was initialised"), std::string::npos)
      << unset.status().message();
  for (float scale : {3.0f, 5.0f, -1.0f}) {
    variable->Assign(Tensor::Scalar<float>(scale));
    for (int run = 0; run < 2; ++run) {
      auto out = (*plan)->Run({Tensor::Scalar<float>(2.0f)}, RunOptions());
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      EXPECT_FLOAT_EQ((*out)[0].flat<float>()[0], 2.0f * scale);
    }
  }
  auto both = (*plan)->Run({Tensor::Scalar<float>(2.0f), handle}, RunOptions());
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("plan expects 1 feeds, got 2"), std::string::npos)
      << both.status().message();
  // The same handles give the same plan; the unbound function is another.
  auto again = library.Instantiate("scale_fn", {{.index = 1, .handle = &handle}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), plan->get());
  auto unbound = library.Instantiate("scale_fn");
  ASSERT_TRUE(unbound.ok());
  EXPECT_NE(unbound->get(), plan->get());
  auto out = (*unbound)->Run({Tensor::Scalar<float>(2.0f), handle}, RunOptions());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FLOAT_EQ((*out)[0].flat<float>()[0], -2.0f);
}

// Variable reads bind their readers to the variable's tensor (no copy); an assign publishes a new
// tensor, so a read before it in the same run keeps the old value and a read after it sees the
// new one, as in TensorFlow.
TEST(PlanTest, VariableReadsSeeTheValueAtTheirTurn) {
  tensorflow::GraphDef g;
  auto* v = AddNode(&g, "v", "VarHandleOp");
  (*v->mutable_attr())["shared_name"].set_s("counter");
  SetFloatConst(AddNode(&g, "one", "Const"), 1.0f);
  SetFloatConst(AddNode(&g, "two", "Const"), 2.0f);
  AddNode(&g, "init", "AssignVariableOp", {"v", "one"});
  AddNode(&g, "before", "ReadVariableOp", {"v"});
  AddNode(&g, "set", "AssignVariableOp", {"v", "two", "^before"});
  AddNode(&g, "after", "ReadVariableOp", {"v", "^set"});
  AddNode(&g, "sum", "AddV2", {"before", "after"});

  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto unset = (*session)->Run({}, {"before:0"}, {}, RunOptions());
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.status().message().find("before it was initialised"), std::string::npos)
      << unset.status().message();
  ASSERT_TRUE((*session)->Run({}, {}, {"init"}, RunOptions()).ok());
  auto first = (*session)->Run({}, {"before:0"}, {}, RunOptions());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FLOAT_EQ((*first)[0].flat<float>()[0], 1.0f);
  auto out = (*session)->Run({}, {"before:0", "after:0", "sum:0"}, {}, RunOptions());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FLOAT_EQ((*out)[0].flat<float>()[0], 1.0f);
  EXPECT_FLOAT_EQ((*out)[1].flat<float>()[0], 2.0f);
  EXPECT_FLOAT_EQ((*out)[2].flat<float>()[0], 3.0f);
  EXPECT_FLOAT_EQ((*first)[0].flat<float>()[0], 1.0f);  // an earlier answer is not touched
  // A read hands out the variable's tensor itself: two reads share the buffer.
  auto again = (*session)->Run({}, {"before:0"}, {}, RunOptions());
  ASSERT_TRUE(again.ok());
  EXPECT_FLOAT_EQ((*again)[0].flat<float>()[0], 2.0f);
  EXPECT_EQ((*again)[0].raw_data(), (*out)[1].raw_data());
}

// A ReadVariableOp on something that is not a variable still fails as the kernel says.
TEST(PlanTest, AVariableReadOfANonVariableIsTheKernelsError) {
  tensorflow::GraphDef g;
  SetFloatConst(AddNode(&g, "x", "Const"), 1.0f);
  AddNode(&g, "read", "ReadVariableOp", {"x"});
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto out = (*session)->Run({}, {"read:0"}, {}, RunOptions());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("is not a variable handle"), std::string::npos)
      << out.status().message();
}

}  // namespace
}  // namespace tern
