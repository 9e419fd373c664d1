// Which ops reaching outside the request the serving signatures use: only what runs at request
// time counts (the saver's restore op may read the variables), calls into functions are
// followed, and the message names each op, what it does and where.
#include "runtime/saved_model/side_effect_ops.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

namespace tern {
namespace {

// serving_default: y = ReadFile(path) inside function "reader", called by a
// StatefulPartitionedCall; the saver's restore op (RestoreV2) is outside every signature.
constexpr char kMetaGraph[] = R"pb(
  graph_def {
    node {
      name: "path"
      op: "Placeholder"
      attr {
        key: "dtype"
        value { type: DT_STRING }
      }
    }
    node {
      name: "call"
      op: "StatefulPartitionedCall"
      input: "path"
      attr {
        key: "f"
        value { func { name: "reader" } }
      }
    }
    node { name: "save/Const" op: "Placeholder" }
    node { name: "save/RestoreV2" op: "RestoreV2" input: "save/Const" }
    node { name: "save/restore_all" op: "NoOp" input: "^save/RestoreV2" }
    library {
      function {
        signature {
          name: "reader"
          input_arg { name: "p" type: DT_STRING }
          output_arg { name: "out" type: DT_STRING }
        }
        node_def { name: "ReadFile" op: "ReadFile" input: "p" }
        node_def { name: "Second" op: "ReadFile" input: "p" }
        node_def {
          name: "joined"
          op: "StringJoin"
          input: "ReadFile:contents:0"
          input: "Second:contents:0"
        }
        ret { key: "out" value: "joined:output:0" }
      }
    }
  }
  saver_def { filename_tensor_name: "save/Const:0" restore_op_name: "save/restore_all" }
  signature_def {
    key: "serving_default"
    value {
      inputs {
        key: "path"
        value { name: "path:0" }
      }
      outputs {
        key: "y"
        value { name: "call:0" }
      }
    }
  }
)pb";

TEST(SideEffectOpsTest, FindsWhatTheSignaturesReachNotTheRestoreOp) {
  tensorflow::MetaGraphDef meta;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kMetaGraph, &meta));
  auto ops = RequestTimeSideEffectOps(meta);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].op, "ReadFile");
  EXPECT_EQ(ops[0].nodes, 2);
  const std::string message = SideEffectOpsMessage(ops);
  EXPECT_NE(message.find("ReadFile (reads files; node 'reader/"), std::string::npos) << message;
  EXPECT_NE(message.find("and 1 more"), std::string::npos) << message;
}

TEST(SideEffectOpsTest, RestoreV2InASignatureIsRefusedThoughTernHasItsKernel) {
  tensorflow::MetaGraphDef meta;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kMetaGraph, &meta));
  (*meta.mutable_signature_def())["restore_at_request_time"]
      .mutable_outputs()
      ->
      operator[]("y")
      .set_name("save/RestoreV2:0");
  auto ops = RequestTimeSideEffectOps(meta);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].op, "ReadFile");
  EXPECT_EQ(ops[1].op, "RestoreV2");
}

TEST(SideEffectOpsTest, KnowsWhatEachOpDoes) {
  EXPECT_STREQ(SideEffectOf("ReadFile"), "reads files");
  EXPECT_STREQ(SideEffectOf("WriteFile"), "writes files");
  EXPECT_STREQ(SideEffectOf("MatchingFiles"), "lists files");
  EXPECT_STREQ(SideEffectOf("SaveV2"), "writes files");
  EXPECT_STREQ(SideEffectOf("PyFunc"), "runs Python in the server process");
  EXPECT_STREQ(SideEffectOf("_Send"), "talks to other processes over the network");
  EXPECT_STREQ(SideEffectOf("Abort"), "acts on the server process");
  EXPECT_EQ(SideEffectOf("MatMul"), nullptr);
  EXPECT_EQ(SideEffectOf(""), nullptr);
  EXPECT_EQ(SideEffectOf("Zzz"), nullptr);
}

}  // namespace
}  // namespace tern
