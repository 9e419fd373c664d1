// GraphDef building for the load-time rewrite tests: nodes, constants, placeholders, and the
// plan's ops and outputs with and without the rewrite (fetching an intermediate pins it, which
// stops the rewrite, so the same session computes both ways).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "runtime/format/tensor_proto.h"
#include "runtime/session.h"

namespace tern::test_graph {

inline tensorflow::NodeDef* AddNode(tensorflow::GraphDef* g, const std::string& name,
                                    const std::string& op, std::vector<std::string> inputs = {},
                                    tensorflow::DataType type = tensorflow::DT_FLOAT) {
  auto* n = g->add_node();
  n->set_name(name);
  n->set_op(op);
  for (auto& i : inputs) n->add_input(i);
  if (op != "Const" && op != "Placeholder") (*n->mutable_attr())["T"].set_type(type);
  return n;
}

inline void AddTensor(tensorflow::GraphDef* g, const std::string& name, const Tensor& t) {
  auto* n = AddNode(g, name, "Const");
  (*n->mutable_attr())["dtype"].set_type(t.dtype());
  TensorToProto(t, (*n->mutable_attr())["value"].mutable_tensor());
}

inline Tensor Random(TensorShape shape, int seed, float low = -2, float high = 2) {
  Tensor t(tensorflow::DT_FLOAT, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(low, high);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.flat<float>()[i] = dist(rng);
  return t;
}

inline void AddConst(tensorflow::GraphDef* g, const std::string& name, TensorShape shape, float low,
                     float high, int seed) {
  AddTensor(g, name, Random(std::move(shape), seed, low, high));
}

// A rank-0 float Const.
inline void AddScalar(tensorflow::GraphDef* g, const std::string& name, float value) {
  Tensor t(tensorflow::DT_FLOAT, TensorShape{});
  t.flat<float>()[0] = value;
  AddTensor(g, name, t);
}

inline void AddInt32(tensorflow::GraphDef* g, const std::string& name, TensorShape shape,
                     std::vector<int32_t> values) {
  Tensor t(tensorflow::DT_INT32, std::move(shape));
  std::copy(values.begin(), values.end(), t.flat<int32_t>());
  AddTensor(g, name, t);
}

inline void AddPlaceholder(tensorflow::GraphDef* g, const std::string& name,
                           tensorflow::DataType type = tensorflow::DT_FLOAT) {
  (*AddNode(g, name, "Placeholder")->mutable_attr())["dtype"].set_type(type);
}

// The ops of the plan feeding x:0 and fetching `fetches`.
inline std::vector<std::string> StepOps(Session& session, const std::vector<std::string>& fetches) {
  PlanSpec spec;
  spec.feeds = {"x:0"};
  spec.fetches = fetches;
  auto plan = session.Prepare(spec);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? (*plan)->StepOps() : std::vector<std::string>();
}

inline bool Has(const std::vector<std::string>& ops, const std::string& op) {
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

// `out` computed from x by the plan that fetches only it, and by the plan that also fetches
// `pin` (so nothing reading it is rewritten): equal within `tolerance` (absolute plus relative).
inline void ExpectSameAsUnrewritten(Session& session, const Tensor& x, const std::string& out,
                                    const std::string& pin, float tolerance) {
  auto a = session.Run({{"x:0", x}}, {out}, {}, RunOptions());
  auto b = session.Run({{"x:0", x}}, {out, pin}, {}, RunOptions());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ((*a)[0].shape(), (*b)[0].shape());
  for (int64_t i = 0; i < (*a)[0].num_elements(); ++i) {
    const float want = (*b)[0].flat<float>()[i];
    ASSERT_NEAR((*a)[0].flat<float>()[i], want, tolerance * (1 + std::abs(want))) << i;
  }
}

}  // namespace tern::test_graph
