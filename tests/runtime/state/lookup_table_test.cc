// Lookup tables and their kernels: HashTableV2 sharing within a session, import and find,
// MutableHashTableV2's replace-on-import,
// InitializeTableFromTextFileV2's column / line-number / whole-line semantics and its load
// errors (missing file, empty line, too few columns, bad field, vocab_size), each checked
// against what TensorFlow 2.x does for the same file (see the comments).
#include "runtime/state/lookup_table.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/state/resources.h"

namespace tern {
namespace {

class LookupTableKernelsTest : public ::testing::Test {
 protected:
  tensorflow::NodeDef Node(const std::string& name, const std::string& op) {
    tensorflow::NodeDef node;
    node.set_name(name);
    node.set_op(op);
    return node;
  }
  static void SetType(tensorflow::NodeDef& n, const std::string& attr, DataType t) {
    (*n.mutable_attr())[attr].set_type(t);
  }
  static void SetInt(tensorflow::NodeDef& n, const std::string& attr, int64_t v) {
    (*n.mutable_attr())[attr].set_i(v);
  }

  StatusOr<std::vector<Tensor>> Run(const tensorflow::NodeDef& node,
                                    const std::vector<Tensor>& inputs) {
    const KernelRegistration* reg = FindKernel(node.op());
    if (reg == nullptr) return NotFound("no kernel for " + node.op());
    KernelConstruction construction(node, static_cast<int>(inputs.size()), &resources_, nullptr);
    TERN_ASSIGN_OR_RETURN(std::unique_ptr<OpKernel> kernel, reg->create(construction));
    std::vector<Tensor> outputs(reg->outputs.size());
    std::vector<const Tensor*> in;
    for (const Tensor& t : inputs) in.push_back(&t);
    RunOptions options;
    KernelContext ctx(node.name(), node.op(), in.data(), static_cast<int>(in.size()),
                      outputs.data(), static_cast<int>(outputs.size()), options, &resources_);
    TERN_RETURN_IF_ERROR(kernel->Compute(ctx));
    return outputs;
  }

  Tensor Table(const std::string& shared_name, DataType key, DataType value) {
    auto node = Node("table", "HashTableV2");
    SetType(node, "key_dtype", key);
    SetType(node, "value_dtype", value);
    (*node.mutable_attr())["shared_name"].set_s(shared_name);
    auto out = Run(node, {});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? (*out)[0] : Tensor();
  }

  Status InitFromFile(const Tensor& table, const std::string& path, int64_t key_index,
                      int64_t value_index, int64_t vocab_size = -1, int64_t offset = 0) {
    auto node = Node("init", "InitializeTableFromTextFileV2");
    SetInt(node, "key_index", key_index);
    SetInt(node, "value_index", value_index);
    if (vocab_size != -1) SetInt(node, "vocab_size", vocab_size);
    if (offset != 0) SetInt(node, "offset", offset);
    return Run(node, {table, Tensor::Scalar<std::string>(path)}).status();
  }

  StatusOr<Tensor> Find(const Tensor& table, const Tensor& keys, const Tensor& default_value) {
    TERN_ASSIGN_OR_RETURN(auto out,
                          Run(Node("find", "LookupTableFindV2"), {table, keys, default_value}));
    return out[0];
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = ::testing::TempDir() + "/lookup_table_test_" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  SessionResources resources_;
};

TEST_F(LookupTableKernelsTest, ImportThenFindWithScalarAndPerKeyDefaults) {
  Tensor table = Table("t", tensorflow::DT_STRING, tensorflow::DT_INT64);
  auto import = Run(Node("import", "LookupTableImportV2"),
                    {table, Tensor::FromVector<std::string>({"a", "b"}, TensorShape{2}),
                     Tensor::FromVector<int64_t>({1, 2}, TensorShape{2})});
  ASSERT_TRUE(import.ok()) << import.status().ToString();
  auto keys = Tensor::FromVector<std::string>({"a", "z", "b", "c"}, TensorShape{2, 2});
  auto found = Find(table, keys, Tensor::Scalar<int64_t>(-1));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->shape(), (TensorShape{2, 2}));
  EXPECT_EQ(std::vector<int64_t>(found->flat<int64_t>(), found->flat<int64_t>() + 4),
            (std::vector<int64_t>{1, -1, 2, -1}));
  found = Find(table, keys, Tensor::FromVector<int64_t>({7, 8, 9, 10}, TensorShape{2, 2}));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->flat<int64_t>()[1], 8);
  EXPECT_EQ(found->flat<int64_t>()[3], 10);
  // TF: "Expected shape [] or [2,2] for default value, got [2]".
  EXPECT_FALSE(Find(table, keys, Tensor::FromVector<int64_t>({7, 8}, TensorShape{2})).ok());
  auto size = Run(Node("size", "LookupTableSizeV2"), {table});
  ASSERT_TRUE(size.ok());
  EXPECT_EQ((*size)[0].flat<int64_t>()[0], 2);
}

TEST_F(LookupTableKernelsTest, SameSharedNameIsOneTableAndReimportMustMatch) {
  Tensor first = Table("shared", tensorflow::DT_INT64, tensorflow::DT_FLOAT);
  Tensor second = Table("shared", tensorflow::DT_INT64, tensorflow::DT_FLOAT);
  EXPECT_EQ(first.resource(), second.resource());
  auto keys = Tensor::FromVector<int64_t>({5, 6}, TensorShape{2});
  auto values = Tensor::FromVector<float>({0.5f, 1.5f}, TensorShape{2});
  ASSERT_TRUE(Run(Node("i1", "LookupTableImportV2"), {first, keys, values}).ok());
  // Running the init op again with the same data is fine (TF too) ...
  EXPECT_TRUE(Run(Node("i2", "LookupTableImportV2"), {second, keys, values}).ok());
  // ... different data is not: "Table was already initialized with different data."
  auto other = Run(Node("i3", "LookupTableImportV2"),
                   {second, keys, Tensor::FromVector<float>({0.5f, 2.5f}, TensorShape{2})});
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  auto found = Find(second, Tensor::FromVector<int64_t>({6, 7}, TensorShape{2}),
                    Tensor::Scalar<float>(-1.0f));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->flat<float>()[0], 1.5f);
  EXPECT_EQ(found->flat<float>()[1], -1.0f);
  // A table of other dtypes under the same name is refused at load.
  auto node = Node("table2", "HashTableV2");
  SetType(node, "key_dtype", tensorflow::DT_STRING);
  SetType(node, "value_dtype", tensorflow::DT_FLOAT);
  (*node.mutable_attr())["shared_name"].set_s("shared");
  EXPECT_FALSE(Run(node, {}).ok());
}

// What TensorFlow 2.15 does with tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1):
// lookup before any import gives the default and size 0; importing {a: 1, b: 2, a: 3} gives
// a -> 3 (the last value wins), size 2; importing {c: 9} then leaves only c.
TEST_F(LookupTableKernelsTest, MutableTableIsReadableEmptyAndImportReplacesIt) {
  auto node = Node("mutable", "MutableHashTableV2");
  SetType(node, "key_dtype", tensorflow::DT_STRING);
  SetType(node, "value_dtype", tensorflow::DT_INT64);
  (*node.mutable_attr())["shared_name"].set_s("m");
  auto handle = Run(node, {});
  ASSERT_TRUE(handle.ok()) << handle.status().ToString();
  const Tensor table = (*handle)[0];
  const auto keys = Tensor::FromVector<std::string>({"a", "b", "c"}, TensorShape{3});
  auto found = Find(table, keys, Tensor::Scalar<int64_t>(-1));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(std::vector<int64_t>(found->flat<int64_t>(), found->flat<int64_t>() + 3),
            (std::vector<int64_t>{-1, -1, -1}));
  auto import = Run(Node("import", "LookupTableImportV2"),
                    {table, Tensor::FromVector<std::string>({"a", "b", "a"}, TensorShape{3}),
                     Tensor::FromVector<int64_t>({1, 2, 3}, TensorShape{3})});
  ASSERT_TRUE(import.ok()) << import.status().ToString();
  found = Find(table, keys, Tensor::Scalar<int64_t>(-1));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(std::vector<int64_t>(found->flat<int64_t>(), found->flat<int64_t>() + 3),
            (std::vector<int64_t>{3, 2, -1}));
  auto size = Run(Node("size", "LookupTableSizeV2"), {table});
  ASSERT_TRUE(size.ok());
  EXPECT_EQ((*size)[0].flat<int64_t>()[0], 2);
  import = Run(Node("import2", "LookupTableImportV2"),
               {table, Tensor::FromVector<std::string>({"c"}, TensorShape{1}),
                Tensor::FromVector<int64_t>({9}, TensorShape{1})});
  ASSERT_TRUE(import.ok()) << import.status().ToString();
  found = Find(table, keys, Tensor::Scalar<int64_t>(-1));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(std::vector<int64_t>(found->flat<int64_t>(), found->flat<int64_t>() + 3),
            (std::vector<int64_t>{-1, -1, 9}));
  // A HashTableV2 under the same name is another kind of table: refused at load.
  auto immutable = Node("table", "HashTableV2");
  SetType(immutable, "key_dtype", tensorflow::DT_STRING);
  SetType(immutable, "value_dtype", tensorflow::DT_INT64);
  (*immutable.mutable_attr())["shared_name"].set_s("m");
  EXPECT_FALSE(Run(immutable, {}).ok());
}

TEST_F(LookupTableKernelsTest, DuplicateKeyWithOtherValueFailsAndLeavesTableUninitialised) {
  Tensor table = Table("dup", tensorflow::DT_STRING, tensorflow::DT_INT64);
  auto status = Run(Node("import", "LookupTableImportV2"),
                    {table, Tensor::FromVector<std::string>({"a", "a"}, TensorShape{2}),
                     Tensor::FromVector<int64_t>({1, 2}, TensorShape{2})})
                    .status();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("Key a has 1 and trying to add value 2"), std::string::npos)
      << status.message();
  auto found = Find(table, Tensor::FromVector<std::string>({"a"}, TensorShape{1}),
                    Tensor::Scalar<int64_t>(0));
  EXPECT_EQ(found.status().code(), StatusCode::kFailedPrecondition);  // "Table not initialized."
}

TEST_F(LookupTableKernelsTest, TextFileWholeLineToLineNumberWithOffsetAndVocabSize) {
  const std::string path = WriteFile("vocab.txt", "apple\r\nbanana\ncherry\n");
  Tensor table = Table("words", tensorflow::DT_STRING, tensorflow::DT_INT64);
  ASSERT_TRUE(InitFromFile(table, path, /*key_index=*/-2, /*value_index=*/-1, /*vocab_size=*/2,
                           /*offset=*/5)
                  .ok());
  auto found =
      Find(table, Tensor::FromVector<std::string>({"apple", "banana", "cherry"}, TensorShape{3}),
           Tensor::Scalar<int64_t>(-1));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  // TF: a -> 5, b -> 6 (offset added to line numbers); vocab_size=2 stops after two lines; the
  // \r of a CRLF line is not part of the key.
  EXPECT_EQ(found->flat<int64_t>()[0], 5);
  EXPECT_EQ(found->flat<int64_t>()[1], 6);
  EXPECT_EQ(found->flat<int64_t>()[2], -1);
}

TEST_F(LookupTableKernelsTest, TextFileColumnsAndLineNumberKeys) {
  const std::string path = WriteFile("cols.txt", "a\tx\t1.5\nb\ty\t2e3\n");
  Tensor floats = Table("floats", tensorflow::DT_STRING, tensorflow::DT_FLOAT);
  ASSERT_TRUE(InitFromFile(floats, path, 0, 2).ok());
  auto found = Find(floats, Tensor::FromVector<std::string>({"b", "a"}, TensorShape{2}),
                    Tensor::Scalar<float>(0));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->flat<float>()[0], 2000.0f);
  EXPECT_EQ(found->flat<float>()[1], 1.5f);
  Tensor by_line = Table("by_line", tensorflow::DT_INT64, tensorflow::DT_STRING);
  ASSERT_TRUE(InitFromFile(by_line, path, -1, 1).ok());
  auto names = Find(by_line, Tensor::FromVector<int64_t>({1, 0, 9}, TensorShape{3}),
                    Tensor::Scalar<std::string>("?"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->flat<std::string>()[0], "y");
  EXPECT_EQ(names->flat<std::string>()[1], "x");
  EXPECT_EQ(names->flat<std::string>()[2], "?");
}

TEST_F(LookupTableKernelsTest, TextFileErrorsNameTheFileAndLine) {
  Tensor table = Table("errors", tensorflow::DT_STRING, tensorflow::DT_INT64);
  const std::string missing = ::testing::TempDir() + "/lookup_table_test_no_such_vocab.txt";
  std::remove(missing.c_str());
  Status status = InitFromFile(table, missing, -2, -1);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(missing), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("No such file"), std::string::npos) << status.message();

  status = InitFromFile(table, WriteFile("empty_line.txt", "a\n\nb\n"), -2, -1);
  EXPECT_NE(status.message().find("empty line"), std::string::npos) << status.message();

  status = InitFromFile(table, WriteFile("columns.txt", "a\t1\n"), 0, 3);
  EXPECT_NE(status.message().find("expected at least 4 got 2"), std::string::npos)
      << status.message();

  status = InitFromFile(table, WriteFile("bad_int.txt", "a\tx\n"), 0, 1);
  EXPECT_NE(status.message().find("Field x in line 0"), std::string::npos) << status.message();

  status = InitFromFile(table, WriteFile("short.txt", "a\nb\n"), -2, -1, /*vocab_size=*/5);
  EXPECT_NE(status.message().find("expected 5 but got 2"), std::string::npos) << status.message();

  // None of the failures initialised the table.
  EXPECT_EQ(Find(table, Tensor::FromVector<std::string>({"a"}, TensorShape{1}),
                 Tensor::Scalar<int64_t>(0))
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tern
