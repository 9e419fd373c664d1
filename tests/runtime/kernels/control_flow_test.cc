// Functional control flow (StatelessIf/If, StatelessWhile/While) and the TensorList ops, run
// through Session on small hand-written graphs: a loop that maps a tensor row by row through
// TensorLists (the shape of a Keras RNN loop), branches on TensorFlow's truth values, errors
// inside a loop body, and a deadline stopping an endless loop.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <chrono>

#include "runtime/session.h"

namespace tern {
namespace {

// out = stack([x[i] * 2 for i in range(len(x))]) via a While over TensorLists.
constexpr char kLoopGraph[] = R"pb(
  node {
    name: "x"
    op: "Placeholder"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "limit"
    op: "Placeholder"
    attr {
      key: "dtype"
      value { type: DT_INT32 }
    }
  }
  node {
    name: "zero"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_INT32 }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_INT32
          tensor_shape {}
          int_val: 0
        }
      }
    }
  }
  node {
    name: "unknown_shape"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_INT32 }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_INT32
          tensor_shape {}
          int_val: -1
        }
      }
    }
  }
  node {
    name: "n"
    op: "Shape"
    input: "x"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "n0"
    op: "StridedSlice"
    input: "n"
    input: "begin"
    input: "end"
    input: "stride"
    attr {
      key: "shrink_axis_mask"
      value { i: 1 }
    }
    attr {
      key: "Index"
      value { type: DT_INT32 }
    }
    attr {
      key: "T"
      value { type: DT_INT32 }
    }
  }
  node {
    name: "begin"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_INT32 }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_INT32
          tensor_shape { dim { size: 1 } }
          int_val: 0
        }
      }
    }
  }
  node {
    name: "end"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_INT32 }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_INT32
          tensor_shape { dim { size: 1 } }
          int_val: 1
        }
      }
    }
  }
  node {
    name: "stride"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_INT32 }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_INT32
          tensor_shape { dim { size: 1 } }
          int_val: 1
        }
      }
    }
  }
  node {
    name: "inputs"
    op: "TensorListFromTensor"
    input: "x"
    input: "unknown_shape"
    attr {
      key: "element_dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "shape_type"
      value { type: DT_INT32 }
    }
  }
  node {
    name: "outputs"
    op: "TensorListReserve"
    input: "unknown_shape"
    input: "n0"
    attr {
      key: "element_dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "shape_type"
      value { type: DT_INT32 }
    }
  }
  node {
    name: "loop"
    op: "StatelessWhile"
    input: "zero"
    input: "limit"
    input: "inputs"
    input: "outputs"
    attr {
      key: "T"
      value { list { type: DT_INT32 type: DT_INT32 type: DT_VARIANT type: DT_VARIANT } }
    }
    attr {
      key: "cond"
      value { func { name: "cond" } }
    }
    attr {
      key: "body"
      value { func { name: "body" } }
    }
  }
  node {
    name: "out"
    op: "TensorListStack"
    input: "loop:3"
    input: "unknown_shape"
    attr {
      key: "element_dtype"
      value { type: DT_FLOAT }
    }
  }
  node { name: "length" op: "TensorListLength" input: "loop:3" }
  library {
    function {
      signature {
        name: "cond"
        input_arg { name: "i" type: DT_INT32 }
        input_arg { name: "limit" type: DT_INT32 }
        input_arg { name: "in" type: DT_VARIANT }
        input_arg { name: "out" type: DT_VARIANT }
        output_arg { name: "go" type: DT_BOOL }
      }
      node_def {
        name: "less"
        op: "Less"
        input: "i"
        input: "limit"
        attr {
          key: "T"
          value { type: DT_INT32 }
        }
      }
      ret { key: "go" value: "less:z:0" }
    }
    function {
      signature {
        name: "body"
        input_arg { name: "i" type: DT_INT32 }
        input_arg { name: "limit" type: DT_INT32 }
        input_arg { name: "in" type: DT_VARIANT }
        input_arg { name: "out" type: DT_VARIANT }
        output_arg { name: "i_next" type: DT_INT32 }
        output_arg { name: "limit_same" type: DT_INT32 }
        output_arg { name: "in_same" type: DT_VARIANT }
        output_arg { name: "out_next" type: DT_VARIANT }
      }
      node_def {
        name: "unknown"
        op: "Const"
        attr {
          key: "dtype"
          value { type: DT_INT32 }
        }
        attr {
          key: "value"
          value {
            tensor {
              dtype: DT_INT32
              tensor_shape {}
              int_val: -1
            }
          }
        }
      }
      node_def {
        name: "two"
        op: "Const"
        attr {
          key: "dtype"
          value { type: DT_FLOAT }
        }
        attr {
          key: "value"
          value {
            tensor {
              dtype: DT_FLOAT
              tensor_shape {}
              float_val: 2
            }
          }
        }
      }
      node_def {
        name: "one"
        op: "Const"
        attr {
          key: "dtype"
          value { type: DT_INT32 }
        }
        attr {
          key: "value"
          value {
            tensor {
              dtype: DT_INT32
              tensor_shape {}
              int_val: 1
            }
          }
        }
      }
      node_def {
        name: "row"
        op: "TensorListGetItem"
        input: "in"
        input: "i"
        input: "unknown"
        attr {
          key: "element_dtype"
          value { type: DT_FLOAT }
        }
      }
      node_def {
        name: "doubled"
        op: "Mul"
        input: "row:item:0"
        input: "two:output:0"
        attr {
          key: "T"
          value { type: DT_FLOAT }
        }
      }
      node_def {
        name: "set"
        op: "TensorListSetItem"
        input: "out"
        input: "i"
        input: "doubled:z:0"
        attr {
          key: "element_dtype"
          value { type: DT_FLOAT }
        }
      }
      node_def {
        name: "next"
        op: "AddV2"
        input: "i"
        input: "one:output:0"
        attr {
          key: "T"
          value { type: DT_INT32 }
        }
      }
      ret { key: "i_next" value: "next:z:0" }
      ret { key: "limit_same" value: "limit" }
      ret { key: "in_same" value: "in" }
      ret { key: "out_next" value: "set:output_handle:0" }
    }
  }
)pb";

std::unique_ptr<Session> MakeSession(const char* text, tensorflow::GraphDef* graph) {
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, graph));
  auto session = Session::Create(*graph);
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  return session.ok() ? std::move(session).value() : nullptr;
}

TEST(ControlFlowTest, WhileMapsTensorListsRowByRow) {
  tensorflow::GraphDef graph;
  auto session = MakeSession(kLoopGraph, &graph);
  ASSERT_NE(session, nullptr);
  const Tensor x = Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, TensorShape{3, 2});
  auto out = session->Run({{"x:0", x}, {"limit:0", Tensor::Scalar<int32_t>(3)}},
                          {"out:0", "length:0", "loop:0"}, {}, RunOptions());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ((*out)[0].shape(), (TensorShape{3, 2}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ((*out)[0].flat<float>()[i], 2.0f * (i + 1));
  EXPECT_EQ((*out)[1].flat<int32_t>()[0], 3);
  EXPECT_EQ((*out)[2].flat<int32_t>()[0], 3);

  // Stopping early leaves unset elements, which stack as zeros (the element shape is known
  // from the set ones).
  auto partial = session->Run({{"x:0", x}, {"limit:0", Tensor::Scalar<int32_t>(1)}}, {"out:0"}, {},
                              RunOptions());
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  const std::vector<float> want = {2, 4, 0, 0, 0, 0};
  for (int i = 0; i < 6; ++i) EXPECT_EQ((*partial)[0].flat<float>()[i], want[i]);

  // No iteration: nothing is set and the element shape is unknown, so stacking fails clearly.
  auto none = session->Run({{"x:0", x}, {"limit:0", Tensor::Scalar<int32_t>(0)}}, {"out:0"}, {},
                           RunOptions());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("not fully defined"), std::string::npos)
      << none.status().message();

  // Reading past the list inside the body names the loop iteration and the list.
  auto past = session->Run({{"x:0", x}, {"limit:0", Tensor::Scalar<int32_t>(4)}}, {"out:0"}, {},
                           RunOptions());
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(past.status().message().find("element 3 in a list with 3 elements"), std::string::npos)
      << past.status().message();
  EXPECT_NE(past.status().message().find("iteration 3"), std::string::npos)
      << past.status().message();
}

TEST(ControlFlowTest, DeadlineStopsAnEndlessLoop) {
  tensorflow::GraphDef graph;
  auto session = MakeSession(kLoopGraph, &graph);
  ASSERT_NE(session, nullptr);
  // limit huge: the loop would fail at element 3, but the deadline has already passed.
  RunOptions options;
  options.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto out = session->Run({{"x:0", Tensor::FromVector<float>({1}, TensorShape{1, 1})},
                           {"limit:0", Tensor::Scalar<int32_t>(1 << 30)}},
                          {"out:0"}, {}, options);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kDeadlineExceeded) << out.status().ToString();
}

// y = if pred: x + 1 else: x * 3, for predicates of several dtypes and ranks.
constexpr char kIfGraph[] = R"pb(
  node {
    name: "x"
    op: "Placeholder"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "pred"
    op: "Placeholder"
    attr {
      key: "dtype"
      value { type: DT_INVALID }
    }
  }
  node {
    name: "y"
    op: "StatelessIf"
    input: "pred"
    input: "x"
    attr {
      key: "Tin"
      value { list { type: DT_FLOAT } }
    }
    attr {
      key: "Tout"
      value { list { type: DT_FLOAT } }
    }
    attr {
      key: "then_branch"
      value { func { name: "plus_one" } }
    }
    attr {
      key: "else_branch"
      value { func { name: "times_three" } }
    }
  }
  library {
    function {
      signature {
        name: "plus_one"
        input_arg { name: "v" type: DT_FLOAT }
        output_arg { name: "r" type: DT_FLOAT }
      }
      node_def {
        name: "c"
        op: "Const"
        attr {
          key: "dtype"
          value { type: DT_FLOAT }
        }
        attr {
          key: "value"
          value {
            tensor {
              dtype: DT_FLOAT
              tensor_shape {}
              float_val: 1
            }
          }
        }
      }
      node_def {
        name: "add"
        op: "AddV2"
        input: "v"
        input: "c:output:0"
        attr {
          key: "T"
          value { type: DT_FLOAT }
        }
      }
      ret { key: "r" value: "add:z:0" }
    }
    function {
      signature {
        name: "times_three"
        input_arg { name: "v" type: DT_FLOAT }
        output_arg { name: "r" type: DT_FLOAT }
      }
      node_def {
        name: "c"
        op: "Const"
        attr {
          key: "dtype"
          value { type: DT_FLOAT }
        }
        attr {
          key: "value"
          value {
            tensor {
              dtype: DT_FLOAT
              tensor_shape {}
              float_val: 3
            }
          }
        }
      }
      node_def {
        name: "mul"
        op: "Mul"
        input: "v"
        input: "c:output:0"
        attr {
          key: "T"
          value { type: DT_FLOAT }
        }
      }
      ret { key: "r" value: "mul:z:0" }
    }
  }
)pb";

TEST(ControlFlowTest, IfTakesTensorFlowsTruthValue) {
  tensorflow::GraphDef graph;
  auto session = MakeSession(kIfGraph, &graph);
  ASSERT_NE(session, nullptr);
  const Tensor x = Tensor::FromVector<float>({2, 5}, TensorShape{2});
  struct Case {
    Tensor pred;
    float first;
  };
  const std::vector<Case> cases = {
      {Tensor::Scalar<bool>(true), 3},
      {Tensor::Scalar<bool>(false), 6},
      {Tensor::Scalar<int32_t>(-2), 3},                        // non-zero scalar: true
      {Tensor::Scalar<float>(0.0f), 6},                        // zero: false
      {Tensor::Scalar<std::string>(""), 6},                    // empty string: false
      {Tensor::FromVector<bool>({false}, TensorShape{1}), 3},  // non-scalar: has elements
      {Tensor(tensorflow::DT_BOOL, TensorShape{0}), 6},        // no elements: false
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    auto out = session->Run({{"x:0", x}, {"pred:0", cases[i].pred}}, {"y:0"}, {}, RunOptions());
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ((*out)[0].flat<float>()[0], cases[i].first);
  }
}

TEST(ControlFlowTest, BranchArityMismatchFailsTheLoad) {
  tensorflow::GraphDef graph;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kIfGraph, &graph));
  graph.mutable_node(2)->add_input("x");  // two inputs for one-argument branches
  (*graph.mutable_node(2)->mutable_attr())["Tin"].mutable_list()->add_type(tensorflow::DT_FLOAT);
  auto session = Session::Create(graph);
  ASSERT_TRUE(session.ok());  // plans are built per run signature
  auto out =
      (*session)->Run({{"x:0", Tensor::Scalar<float>(1)}, {"pred:0", Tensor::Scalar<bool>(true)}},
                      {"y:0"}, {}, RunOptions());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("takes 1 arguments but the op passes 2"), std::string::npos)
      << out.status().message();
}

}  // namespace
}  // namespace tern
