#include "runtime/saved_model/object_graph_restore.h"

#include <gtest/gtest.h>

namespace tern {
namespace {

tensorflow::NodeDef* AddNode(tensorflow::MetaGraphDef& meta, const std::string& name,
                             const std::string& op, std::vector<std::string> inputs = {}) {
  auto* node = meta.mutable_graph_def()->add_node();
  node->set_name(name);
  node->set_op(op);
  for (const auto& input : inputs) node->add_input(input);
  return node;
}

void AddVarHandle(tensorflow::MetaGraphDef& meta, const std::string& name,
                  const std::string& shared_name) {
  (*AddNode(meta, name, "VarHandleOp")->mutable_attr())["shared_name"].set_s(shared_name);
}

void AddCall(tensorflow::MetaGraphDef& meta, const std::string& name, const std::string& function,
             std::vector<std::string> inputs) {
  auto* call = AddNode(meta, name, "StatefulPartitionedCall", std::move(inputs));
  (*call->mutable_attr())["f"].mutable_func()->set_name(function);
}

// The shape of a Keras 3 model saved with tf.saved_model.save: the signature call captures
// dense/kernel and dense/bias, the saver's restore call restores copies named Variable*.
tensorflow::MetaGraphDef KerasThreeLike() {
  tensorflow::MetaGraphDef meta;
  AddVarHandle(meta, "dense/kernel", "dense/kernel");
  AddVarHandle(meta, "Variable", "Variable");
  AddVarHandle(meta, "dense/bias", "");
  AddVarHandle(meta, "Variable_1", "Variable_1");
  AddNode(meta, "serving_default_inputs", "Placeholder");
  AddNode(meta, "saver_filename", "Placeholder");
  AddCall(meta, "StatefulPartitionedCall", "signature_wrapper",
          {"serving_default_inputs", "dense/kernel", "dense/bias:0", "^saver_filename"});
  AddCall(meta, "StatefulPartitionedCall_1", "traced_restore",
          {"saver_filename", "Variable", "Variable_1"});
  auto& functions = *meta.mutable_object_graph_def()->mutable_concrete_functions();
  functions["signature_wrapper"].add_bound_inputs(27);
  functions["signature_wrapper"].add_bound_inputs(28);
  return meta;
}

TEST(BoundVariablesOfTest, FindsTheVariablesAFunctionCallCapturesWithTheirObjects) {
  auto bound = BoundVariablesOf(KerasThreeLike());
  ASSERT_EQ(bound.size(), 2u);
  EXPECT_EQ(bound[0].node_name, "dense/kernel");
  EXPECT_EQ(bound[0].resource_key, "/dense/kernel");
  EXPECT_EQ(bound[0].object_id, 27);
  // An empty shared_name keys the variable by its node name, as VarHandleOp does.
  EXPECT_EQ(bound[1].node_name, "dense/bias");
  EXPECT_EQ(bound[1].resource_key, "/dense/bias");
  EXPECT_EQ(bound[1].object_id, 28);
}

TEST(BoundVariablesOfTest, AVariableCapturedByTwoCallsIsListedOnce) {
  auto meta = KerasThreeLike();
  AddCall(meta, "StatefulPartitionedCall_2", "signature_wrapper",
          {"serving_default_inputs", "dense/kernel", "dense/bias"});
  EXPECT_EQ(BoundVariablesOf(meta).size(), 2u);
}

TEST(BoundVariablesOfTest, NothingWithoutAnObjectGraph) {
  auto meta = KerasThreeLike();
  meta.clear_object_graph_def();
  EXPECT_TRUE(BoundVariablesOf(meta).empty());
}

TEST(BoundVariablesOfTest, IgnoresCallsWithFewerInputsThanBoundInputs) {
  tensorflow::MetaGraphDef meta;
  AddVarHandle(meta, "v", "v");
  AddCall(meta, "call", "f", {"v"});
  auto& function = (*meta.mutable_object_graph_def()->mutable_concrete_functions())["f"];
  function.add_bound_inputs(1);
  function.add_bound_inputs(2);
  EXPECT_TRUE(BoundVariablesOf(meta).empty());
}

TEST(VariableResourceKeyTest, SharedNameElseNodeNameUnderTheContainer) {
  EXPECT_EQ(VariableResourceKey("", "w", "node"), "/w");
  EXPECT_EQ(VariableResourceKey("c", "", "node"), "c/node");
}

}  // namespace
}  // namespace tern
