#include "runtime/format/tensor_bundle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <thread>

#include "bundle_test_writer.h"
#include "runtime/format/bundle_coding.h"

namespace tern {
namespace {

namespace fs = std::filesystem;
using testing::BundleBuilder;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using testing::TempDir;

std::string Testdata(const std::string& relative) {
  return std::string(TERN_SHARED_DIR) + "/testdata/" + relative;
}

std::unique_ptr<TensorBundleReader> OpenOk(const std::string& prefix) {
  auto reader = TensorBundleReader::Open(prefix);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return reader.ok() ? std::move(reader).value() : nullptr;
}

Tensor ReadOk(const TensorBundleReader& reader, const std::string& key) {
  auto tensor = reader.Read(key);
  EXPECT_TRUE(tensor.ok()) << key << ": " << tensor.status().ToString();
  return tensor.ok() ? std::move(tensor).value() : Tensor();
}

template <typename T>
std::vector<T> Values(const Tensor& t) {
  if (!t.initialized()) return {};
  return std::vector<T>(t.flat<T>(), t.flat<T>() + t.num_elements());
}

template <typename T>
T Scalar(const TensorBundleReader& reader, const std::string& key) {
  const Tensor t = ReadOk(reader, key);
  EXPECT_EQ(t.dtype(), DataTypeOf<T>::value) << key;
  EXPECT_EQ(t.rank(), 0) << key;
  return t.initialized() ? t.flat<T>()[0] : T{};
}

double Sum(const Tensor& t) {
  double sum = 0;
  for (float v : Values<float>(t)) sum += v;
  return sum;
}

// Copies a variables/ directory's bundle next to a temp prefix so a test can damage it.
std::string CopyBundle(const std::string& source_prefix, const TempDir& dir) {
  const std::string prefix = dir.path() + "/variables";
  for (const auto& entry : fs::directory_iterator(fs::path(source_prefix).parent_path())) {
    fs::copy_file(entry.path(), fs::path(dir.path()) / entry.path().filename());
    fs::permissions(fs::path(dir.path()) / entry.path().filename(), fs::perms::owner_write,
                    fs::perm_options::add);
  }
  return prefix;
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::string contents = testing::ReadFile(path);
  ASSERT_LT(offset, contents.size());
  contents[offset] ^= 0x01;
  testing::WriteFile(path, contents);
}

const std::string kHalfPlusTwoCpu =
    Testdata("tf_serving/saved_model_half_plus_two_cpu/00000123/variables/variables");
const std::string kHalfPlusTwoTf2 =
    Testdata("tf_serving/saved_model_half_plus_two_tf2_cpu/00000123/variables/variables");

// ---------------------------------------------------------------------------------------------
// Bundles TensorFlow wrote (expected values are TensorFlow's own reading of them, via
// tf.train.load_checkpoint).

TEST(RealBundleTest, HalfPlusTwoTf1) {
  // Written by TensorFlow 1.x with a snappy-compressed index block.
  auto reader = OpenOk(kHalfPlusTwoCpu);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->header().num_shards(), 1);
  EXPECT_THAT(reader->Keys(), ElementsAre("a", "a2", "b", "c", "c2"));
  EXPECT_EQ(Scalar<float>(*reader, "a"), 0.5f);
  EXPECT_EQ(Scalar<float>(*reader, "a2"), 0.5f);
  EXPECT_EQ(Scalar<float>(*reader, "b"), 2.0f);
  EXPECT_EQ(Scalar<float>(*reader, "c"), 3.0f);
  EXPECT_EQ(Scalar<float>(*reader, "c2"), 3.0f);
  EXPECT_TRUE(reader->Contains("b"));
  EXPECT_FALSE(reader->Contains("x"));
  EXPECT_FALSE(reader->Contains(""));
  auto entry = reader->Entry("c");
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->dtype(), tensorflow::DT_FLOAT);
  EXPECT_EQ(entry->size(), 4);
  EXPECT_TRUE(reader->VerifyAll().ok());
}

TEST(RealBundleTest, HalfPlusTwoTf2) {
  auto reader = OpenOk(kHalfPlusTwoTf2);
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(reader->Keys(),
              ElementsAre("_CHECKPOINTABLE_OBJECT_GRAPH", "a/.ATTRIBUTES/VARIABLE_VALUE",
                          "b/.ATTRIBUTES/VARIABLE_VALUE", "c/.ATTRIBUTES/VARIABLE_VALUE"));
  EXPECT_EQ(Scalar<float>(*reader, "a/.ATTRIBUTES/VARIABLE_VALUE"), 0.5f);
  EXPECT_EQ(Scalar<float>(*reader, "b/.ATTRIBUTES/VARIABLE_VALUE"), 2.0f);
  EXPECT_EQ(Scalar<float>(*reader, "c/.ATTRIBUTES/VARIABLE_VALUE"), 3.0f);
  const std::string graph = Scalar<std::string>(*reader, "_CHECKPOINTABLE_OBJECT_GRAPH");
  EXPECT_EQ(graph.size(), 613u);
  EXPECT_EQ(graph.substr(0, 10), std::string("\n\x98\x01\n\x05\x12\x01"
                                             "a\x08\x01",
                                             10));
}

TEST(RealBundleTest, MlnetCifarTrainingCheckpoint) {
  auto reader = OpenOk(Testdata("real_models/mlnet_cifar_saved_model/1/variables/variables"));
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(reader->Keys(),
              ElementsAre("W1", "W1/Adam", "W1/Adam_1", "Wconv1", "Wconv1/Adam", "Wconv1/Adam_1",
                          "b1", "b1/Adam", "b1/Adam_1", "bconv1", "bconv1/Adam", "bconv1/Adam_1",
                          "beta1_power", "beta2_power"));
  const Tensor w1 = ReadOk(*reader, "W1");
  ASSERT_EQ(w1.shape(), TensorShape({5408, 10}));
  const float* w = w1.flat<float>();
  EXPECT_EQ(w[0], -0.054845940321683884f);
  EXPECT_EQ(w[1], 0.00021545485651586205f);
  EXPECT_EQ(w[2], 0.02732710912823677f);
  EXPECT_EQ(w[2704 * 10 + 5], 0.008787723258137703f);
  EXPECT_EQ(w[5407 * 10 + 9], 0.01697675883769989f);
  EXPECT_NEAR(Sum(w1), -34.978324819483305, 1e-9);
  const Tensor conv = ReadOk(*reader, "Wconv1");
  ASSERT_EQ(conv.shape(), TensorShape({7, 7, 3, 32}));
  EXPECT_EQ(conv.flat<float>()[0], 0.02037714794278145f);
  EXPECT_EQ(conv.flat<float>()[((6 * 7 + 6) * 3 + 2) * 32 + 31], 0.029708493500947952f);
  EXPECT_EQ(ReadOk(*reader, "bconv1").flat<float>()[31], -1.815029501914978f);
  EXPECT_EQ(Scalar<float>(*reader, "beta2_power"), 4.513404201134108e-05f);
}

TEST(RealBundleTest, Keras113WithInt64Counter) {
  auto reader = OpenOk(Testdata("real_models/tfdeploy_keras-1.13.1/1/variables/variables"));
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Scalar<int64_t>(*reader, "SGD/iterations"), 1875);
  EXPECT_EQ(Scalar<float>(*reader, "SGD/lr"), 0.009999999776482582f);
  const Tensor kernel = ReadOk(*reader, "dense/kernel");
  ASSERT_EQ(kernel.shape(), TensorShape({784, 10}));
  EXPECT_EQ(kernel.flat<float>()[0], -0.02804417908191681f);
  EXPECT_EQ(kernel.flat<float>()[400 * 10 + 3], 0.05194869264960289f);
  EXPECT_EQ(kernel.flat<float>()[783 * 10 + 9], -0.03944532945752144f);
  EXPECT_NEAR(Sum(kernel), 4.307172792568053, 1e-9);
}

TEST(RealBundleTest, CppflowKerasTf2Kernel) {
  auto reader = OpenOk(Testdata("real_models/cppflow_multi_input_output/1/variables/variables"));
  ASSERT_NE(reader, nullptr);
  const Tensor kernel = ReadOk(*reader, "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE");
  ASSERT_EQ(kernel.shape(), TensorShape({5, 5}));
  EXPECT_THAT(
      Values<float>(kernel),
      ElementsAreArray<float>({0.06122654676437378f,  -0.5799600481987f,     0.1578890085220337f,
                               -0.5535281896591187f,  -0.6649402976036072f,  0.6269505023956299f,
                               -0.17495012283325195f, -0.40251362323760986f, -0.15023332834243774f,
                               0.4681888818740845f,   0.6791213750839233f,   0.6713370084762573f,
                               0.4824535846710205f,   0.033566176891326904f, 0.15520602464675903f,
                               -0.6254833936691284f,  0.018160700798034668f, 0.20678383111953735f,
                               0.746168851852417f,    -0.30700522661209106f, 0.47221839427948f,
                               0.743461012840271f,    0.2326221466064453f,   0.16500818729400635f,
                               0.17801928520202637f}));
  EXPECT_EQ(Scalar<std::string>(*reader, "_CHECKPOINTABLE_OBJECT_GRAPH").size(), 2704u);
}

TEST(RealBundleTest, IntegerAndStringVariables) {
  auto int64s = OpenOk(Testdata("real_models/tfjs_int64_multiply/1/variables/variables"));
  ASSERT_NE(int64s, nullptr);
  EXPECT_EQ(Scalar<int64_t>(*int64s, "v1/.ATTRIBUTES/VARIABLE_VALUE"), 3);
  EXPECT_EQ(Scalar<int64_t>(*int64s, "v2/.ATTRIBUTES/VARIABLE_VALUE"), 2);
  auto int32s = OpenOk(Testdata("real_models/tfjs_model_multi_output/1/variables/variables"));
  ASSERT_NE(int32s, nullptr);
  EXPECT_EQ(Scalar<int32_t>(*int32s, "two/.ATTRIBUTES/VARIABLE_VALUE"), 2);
  EXPECT_EQ(Scalar<float>(*int32s, "v/.ATTRIBUTES/VARIABLE_VALUE"), 3.0f);
  auto strings =
      OpenOk(Testdata("real_models/tfdeploy_keras-multiple-2.0.0-alpha0/1/variables/variables"));
  ASSERT_NE(strings, nullptr);
  EXPECT_EQ(Scalar<std::string>(*strings, "layer-2/.ATTRIBUTES/OBJECT_CONFIG_JSON"),
            R"({"class_name": "Add", "config": {"dtype": "float32", "name": "output1", )"
            R"("trainable": null}})");
}

TEST(RealBundleTest, EveryBundleInTestdataOpensAndVerifies) {
  std::vector<std::string> prefixes;
  for (const auto& entry : fs::recursive_directory_iterator(Testdata(""))) {
    if (entry.is_regular_file() && entry.path().extension() == ".index") {
      prefixes.push_back(entry.path().parent_path() / entry.path().stem());
    }
  }
  std::sort(prefixes.begin(), prefixes.end());
  ASSERT_GE(prefixes.size(), 26u);  // both sets, as of writing
  std::vector<std::string> failures;
  size_t tensors = 0;
  for (const std::string& prefix : prefixes) {
    auto reader = TensorBundleReader::Open(prefix);
    Status status = reader.ok() ? (*reader)->VerifyAll() : reader.status();
    if (status.ok()) {
      for (const std::string& key : (*reader)->Keys()) {
        auto tensor = (*reader)->Read(key);
        if (!tensor.ok()) {
          status = tensor.status();
          break;
        }
        ++tensors;
      }
    }
    if (!status.ok()) failures.push_back(prefix + ": " + status.ToString());
  }
  EXPECT_THAT(failures, ::testing::IsEmpty());
  EXPECT_GT(tensors, 100u);
}

// ---------------------------------------------------------------------------------------------
// A bundle written by TensorFlow 2.15 (tf.compat.v1.train.Saver(sharded=True) over two CPU
// devices): two shards, partitioned variables (float rows, int64 columns, 300 int8 rows, and a
// string variable), string tensors, every numeric dtype including half/bfloat16/complex64, and
// empty tensors. The files are embedded as hex.
constexpr char kTfIndex[] =
    "00000608021a020801000d1500706172740001010280838083080112081202080312020803202428243544a8"
    "5fe2090415838280830801120812020802120208032048281835d985595a0904158582808308011208120208"
    "0212020803206028183505720003050917320001010280848083080912081202080412020803180120192860"
    "35611359f80c021783830809120812020804120208031801207928603563455d4c050c155f69380001010280"
    "c064808108061208120208641202080120782864355ebd8d300c0616c064c064808108061208120208641202"
    "080120dc01286435a3ab32d60d0516c8c064808108061208120208641202080120c0022864357db166da0609"
    "12737472000101018083080712041202080320a403280a35da1ae92d0d02128382080712041202080220ae03"
    "280b354be5945800040f62663136080e12041202080328063533624d320104116f6f6c76080a120412020803"
    "18012803357559910600041163706c7808081204120208022006281035a04cab7500031364626c0802120412"
    "02080118012003280835947c58b2000513656d707479080112061200120208041801200b35d8ea82a2000a0f"
    "656d7074795f737472730807120212002016280435f6c10c6400041168616c660813120412020803201a2806"
    "35387252f100031169313608051204120208022020280435335d068e01021733320803120812020801120208"
    "031801200b280c35c9b593c6010113380806120412020802180120172802352b35876c00042e706172740801"
    "120812020807120208033a080a0210030a0210033a0a0a04080310020a0210033a0a0a04080510020a021003"
    "0401243208091208120208041202080618013a080a0210040a0210033a0a0a0210040a04080310030403305f"
    "693808061209120308ac02120208013a080a0210640a0210013a0a0a04086410640a0210013a0b0a0508c801"
    "10640a02100105031673747208071204120208053a040a0210033a060a040803100200041773747273080712"
    "08120208021202080220b90328d80135e1ce4cf10003147531360811120412020802180120d9012804355eb0"
    "38c301021433320816120412020802180120dd01280835096c7f5b01021436340817120412020801180120e5"
    "01280835a67b113a010114380804120412020802180120ed01280235dc8f254900000000b501000002000000"
    "006e9f51e1000000000100000000c0f2a1b00001037600f006000000000100000000d9fa47a7f5060882070f"
    "0000000000000000000000000000000000000000000000000000000000000000000057fb808b247547db";
constexpr char kTfShard0[] =
    "803f40c0003f0000803f0000004000000080000060c0d8ea82a2003e80c0ff7b00800700000000000000003f"
    "0000803f0000c03f0000004000002040000040400000604000008040000090400000a0400000b0400000c040"
    "0000d0400000e0400000f040000000410000084100001041000018410000204180878e959ca3aab1b8bfc6cd"
    "d4dbe2e9f0f7fe050c131a21282f363d444b525960676e757c838a91989fa6adb4bbc2c9d0d7dee5ecf3fa01"
    "080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd3dae1e8eff6fd040b121920272e35"
    "3c434a51585f666d747b828990979ea5acb3bac1c8cfd6dde4ebf2f900070e151c232a31383f464d545b6269"
    "70777e858c939aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11181f262d343b424950575e656c737a81888f969d"
    "a4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c535a61686f767d848b9299a0a7aeb5bcc3cad1"
    "d8dfe6edf4fb020910171e252c333a41484f565d646b727980878e959ca3aab1b8bfc6cdd4dbe2e9f0f7fe05"
    "0c131a21282f363d444b525960676e757c838a91989fa6ad010200abfbc9d86162620401b9cb41d764646464"
    "6500c801050252588c0578787878787878787878787878787878787878787878787878787878787878787878"
    "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "7878787878787878787878787878787878787878787878787878787878787878787868656c6c6f00ff";
constexpr char kTfShard1[] =
    "010001182d4454fb210940ffffffff02000000fdffffff807f000000000000000007ca9a3b000000000e9435"
    "77000000002abca0650100000031863ba1010000003850d6dc01000000547841cb020000005b42dc06030000"
    "00620c7742030000007e34e2300400000085fe7c6c040000008cc817a804000000155ed0b2000000001c286b"
    "ee0000000023f2052a010000003f1a71180200000046e40b54020000004daea68f0200000069d6117e030000"
    "0070a0acb903000000776a47f5030000009392b2e3040000009a5c4d1f05000000a126e85a05000000ffff01"
    "00ffffffff02000000ffffffffffffffffff00";

std::string FromHex(const char* hex) {
  std::string out;
  for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex + i, 2), nullptr, 16)));
  }
  return out;
}

class TfWrittenBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix_ = dir_.path() + "/ckpt";
    testing::WriteFile(prefix_ + ".index", FromHex(kTfIndex));
    testing::WriteFile(prefix_ + ".data-00000-of-00002", FromHex(kTfShard0));
    testing::WriteFile(prefix_ + ".data-00001-of-00002", FromHex(kTfShard1));
    reader_ = OpenOk(prefix_);
    ASSERT_NE(reader_, nullptr);
  }

  TempDir dir_;
  std::string prefix_;
  std::unique_ptr<TensorBundleReader> reader_;
};

TEST_F(TfWrittenBundleTest, KeysHideHeaderAndSliceKeys) {
  EXPECT_EQ(reader_->header().num_shards(), 2);
  EXPECT_THAT(reader_->Keys(), ElementsAre("bf16", "boolv", "cplx", "dbl", "empty", "empty_strs",
                                           "half", "i16", "i32", "i8", "part", "part2", "part_i8",
                                           "part_str", "strs", "u16", "u32", "u64", "u8"));
  EXPECT_TRUE(reader_->VerifyAll().ok());
}

TEST_F(TfWrittenBundleTest, NumericDtypes) {
  EXPECT_THAT(Values<uint16_t>(ReadOk(*reader_, "half")), ElementsAre(0x3e00, 0xc080, 0x7bff));
  const Tensor bf16 = ReadOk(*reader_, "bf16");
  EXPECT_EQ(bf16.dtype(), tensorflow::DT_BFLOAT16);
  EXPECT_THAT(Values<uint16_t>(bf16), ElementsAre(0x3f80, 0xc040, 0x3f00));
  const Tensor cplx = ReadOk(*reader_, "cplx");
  EXPECT_EQ(cplx.dtype(), tensorflow::DT_COMPLEX64);
  const auto* c = static_cast<const float*>(cplx.raw_data());
  EXPECT_THAT(std::vector<float>(c, c + 4), ElementsAre(1.0f, 2.0f, 0.0f, -3.5f));
  EXPECT_THAT(Values<bool>(ReadOk(*reader_, "boolv")), ElementsAre(true, false, true));
  EXPECT_THAT(Values<int8_t>(ReadOk(*reader_, "i8")), ElementsAre(-128, 127));
  EXPECT_THAT(Values<uint8_t>(ReadOk(*reader_, "u8")), ElementsAre(255, 0));
  EXPECT_THAT(Values<int16_t>(ReadOk(*reader_, "i16")), ElementsAre(-32768, 7));
  EXPECT_THAT(Values<uint16_t>(ReadOk(*reader_, "u16")), ElementsAre(65535, 1));
  EXPECT_THAT(Values<uint32_t>(ReadOk(*reader_, "u32")), ElementsAre(4294967295u, 2u));
  EXPECT_THAT(Values<uint64_t>(ReadOk(*reader_, "u64")), ElementsAre(UINT64_MAX));
  const Tensor i32 = ReadOk(*reader_, "i32");
  EXPECT_EQ(i32.shape(), TensorShape({1, 3}));
  EXPECT_THAT(Values<int32_t>(i32), ElementsAre(-1, 2, -3));
  EXPECT_THAT(Values<double>(ReadOk(*reader_, "dbl")), ElementsAre(3.141592653589793));
  const Tensor empty = ReadOk(*reader_, "empty");
  EXPECT_EQ(empty.dtype(), tensorflow::DT_FLOAT);
  EXPECT_EQ(empty.shape(), TensorShape({0, 4}));
}

TEST_F(TfWrittenBundleTest, StringTensors) {
  const Tensor strs = ReadOk(*reader_, "strs");
  EXPECT_EQ(strs.shape(), TensorShape({2, 2}));
  EXPECT_THAT(Values<std::string>(strs),
              ElementsAre("", std::string(200, 'x'), "hello", std::string("\0\xff", 2)));
  const Tensor empty = ReadOk(*reader_, "empty_strs");
  EXPECT_EQ(empty.dtype(), tensorflow::DT_STRING);
  EXPECT_EQ(empty.shape(), TensorShape({0}));
}

TEST_F(TfWrittenBundleTest, PartitionedVariablesAreAssembled) {
  const Tensor part = ReadOk(*reader_, "part");  // rows split 3 + 2 + 2
  ASSERT_EQ(part.shape(), TensorShape({7, 3}));
  for (int i = 0; i < 21; ++i) EXPECT_EQ(part.flat<float>()[i], 0.5f * i) << i;

  const Tensor part2 = ReadOk(*reader_, "part2");  // columns split 3 + 3, on shard 1
  ASSERT_EQ(part2.shape(), TensorShape({4, 6}));
  for (int i = 0; i < 24; ++i) EXPECT_EQ(part2.flat<int64_t>()[i], int64_t{1000000007} * i) << i;

  const Tensor part_i8 = ReadOk(*reader_, "part_i8");  // slices start at 100 and 200
  ASSERT_EQ(part_i8.shape(), TensorShape({300, 1}));
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(part_i8.flat<int8_t>()[i], static_cast<int8_t>((i * 7) % 256 - 128)) << i;
  }

  // TensorFlow 2.15 itself refuses to restore this one ("Dtype string not supported").
  EXPECT_THAT(Values<std::string>(ReadOk(*reader_, "part_str")),
              ElementsAre("a", "bb", "", "dddd", "e"));

  auto entry = reader_->Entry("part");
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->slices_size(), 3);
}

TEST_F(TfWrittenBundleTest, ReadSliceLikeRestoreV2) {
  // The same answer TensorFlow's RestoreV2 gives for this spec.
  auto middle = reader_->ReadSlice("part", "7 3 2,4:1,2");
  ASSERT_TRUE(middle.ok()) << middle.status().ToString();
  EXPECT_EQ(middle->shape(), TensorShape({4, 2}));
  EXPECT_THAT(Values<float>(*middle), ElementsAre(3.5f, 4.0f, 5.0f, 5.5f, 6.5f, 7.0f, 8.0f, 8.5f));
  // Exactly a stored partition.
  auto stored = reader_->ReadSlice("part", "7 3 3,2:0,3");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_THAT(Values<float>(*stored), ElementsAre(4.5f, 5.0f, 5.5f, 6.0f, 6.5f, 7.0f));
  auto whole_dims = reader_->ReadSlice("part2", "4 6 -:3,3");
  ASSERT_TRUE(whole_dims.ok()) << whole_dims.status().ToString();
  EXPECT_EQ(whole_dims->shape(), TensorShape({4, 3}));
  EXPECT_EQ(whole_dims->flat<int64_t>()[4], int64_t{1000000007} * 10);
  auto unpartitioned = reader_->ReadSlice("dbl", "1 0,1");
  ASSERT_TRUE(unpartitioned.ok()) << unpartitioned.status().ToString();
  EXPECT_THAT(Values<double>(*unpartitioned), ElementsAre(3.141592653589793));
  auto whole = reader_->ReadSlice("strs", "");
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->num_elements(), 4);

  auto wrong_shape = reader_->ReadSlice("part", "8 3 0,3:-");
  ASSERT_FALSE(wrong_shape.ok());
  EXPECT_EQ(wrong_shape.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong_shape.status().message(), HasSubstr("[7,3]"));
  EXPECT_FALSE(reader_->ReadSlice("part", "7 3 0,8:-").ok());
  EXPECT_FALSE(reader_->ReadSlice("part", "7 3 0,3").ok());
  EXPECT_FALSE(reader_->ReadSlice("part", "garbage").ok());
}

TEST_F(TfWrittenBundleTest, CorruptSliceIsNamed) {
  const std::string slice_key = bundle_coding::EncodeTensorSliceKey("part", {{3, 2}, {0, 3}});
  auto entry = reader_->Entry(slice_key);
  ASSERT_TRUE(entry.ok());
  FlipByte(prefix_ + ".data-00000-of-00002", entry->offset() + 5);
  auto reopened = OpenOk(prefix_);
  ASSERT_NE(reopened, nullptr);
  auto part = reopened->Read("part");
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(part.status().message(), HasSubstr("'part' slice 3,2:0,3"));
  EXPECT_THAT(part.status().message(), HasSubstr("data-00000-of-00002"));
  const Status verify = reopened->VerifyAll();
  EXPECT_EQ(verify.code(), StatusCode::kDataLoss);
  EXPECT_THAT(verify.message(), HasSubstr("'part' slice 3,2:0,3"));
  EXPECT_TRUE(reopened->Read("part2").ok());
}

// ---------------------------------------------------------------------------------------------
// Damaged copies of real bundles.

TEST(CorruptBundleTest, FlippedDataByteFailsThatTensorOnly) {
  TempDir dir;
  const std::string prefix = CopyBundle(kHalfPlusTwoCpu, dir);
  auto before = OpenOk(prefix);
  ASSERT_NE(before, nullptr);
  auto entry = before->Entry("b");
  ASSERT_TRUE(entry.ok());
  const std::string shard = prefix + ".data-00000-of-00001";
  FlipByte(shard, entry->offset() + 2);

  auto reader = OpenOk(prefix);  // the index is intact
  ASSERT_NE(reader, nullptr);
  auto b = reader->Read("b");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(b.status().message(), HasSubstr("'b'"));
  EXPECT_THAT(b.status().message(), HasSubstr(shard));
  EXPECT_THAT(b.status().message(), HasSubstr("checksum mismatch"));
  EXPECT_EQ(Scalar<float>(*reader, "a"), 0.5f);
  const Status verify = reader->VerifyAll();
  EXPECT_EQ(verify.code(), StatusCode::kDataLoss);
  EXPECT_THAT(verify.message(), HasSubstr("'b'"));
}

TEST(CorruptBundleTest, FlippedStringByte) {
  TempDir dir;
  const std::string prefix = CopyBundle(kHalfPlusTwoTf2, dir);
  auto entry = OpenOk(prefix)->Entry("_CHECKPOINTABLE_OBJECT_GRAPH");
  ASSERT_TRUE(entry.ok());
  FlipByte(prefix + ".data-00000-of-00001", entry->offset() + 100);
  auto reader = OpenOk(prefix);
  ASSERT_NE(reader, nullptr);
  auto graph = reader->Read("_CHECKPOINTABLE_OBJECT_GRAPH");
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(graph.status().message(), HasSubstr("'_CHECKPOINTABLE_OBJECT_GRAPH'"));
}

TEST(CorruptBundleTest, FlippedIndexByteFailsOpenNamingTheBlock) {
  TempDir dir;
  const std::string prefix = CopyBundle(kHalfPlusTwoCpu, dir);
  FlipByte(prefix + ".index", 10);
  auto reader = TensorBundleReader::Open(prefix);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(reader.status().message(), HasSubstr(prefix + ".index"));
  EXPECT_THAT(reader.status().message(), HasSubstr("data block 0 at offset 0"));
  EXPECT_THAT(reader.status().message(), HasSubstr("checksum mismatch"));
}

TEST(CorruptBundleTest, TruncatedIndex) {
  TempDir dir;
  const std::string prefix = CopyBundle(kHalfPlusTwoTf2, dir);
  const std::string index = testing::ReadFile(prefix + ".index");
  for (size_t length : {index.size() - 1, index.size() - 48, size_t{20}, size_t{0}}) {
    testing::WriteFile(prefix + ".index", index.substr(0, length));
    auto reader = TensorBundleReader::Open(prefix);
    ASSERT_FALSE(reader.ok()) << length;
    EXPECT_EQ(reader.status().code(), StatusCode::kDataLoss) << length;
    EXPECT_THAT(reader.status().message(), HasSubstr(prefix + ".index")) << length;
  }
}

TEST(CorruptBundleTest, MissingOrTruncatedShard) {
  TempDir dir;
  const std::string prefix = CopyBundle(kHalfPlusTwoCpu, dir);
  const std::string shard = prefix + ".data-00000-of-00001";
  const std::string data = testing::ReadFile(shard);

  testing::WriteFile(shard, data.substr(0, data.size() - 1));
  auto truncated = TensorBundleReader::Open(prefix);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(truncated.status().message(), HasSubstr(shard));
  EXPECT_THAT(truncated.status().message(), HasSubstr("truncated"));

  fs::remove(shard);
  auto missing = TensorBundleReader::Open(prefix);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(shard));

  fs::remove(prefix + ".index");
  auto no_index = TensorBundleReader::Open(prefix);
  ASSERT_FALSE(no_index.ok());
  EXPECT_EQ(no_index.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(no_index.status().message(), HasSubstr(prefix + ".index"));
}

TEST(CorruptBundleTest, ReaderKeepsWorkingAfterFilesAreDeleted) {
  TempDir dir;
  const std::string prefix = CopyBundle(kHalfPlusTwoCpu, dir);
  auto reader = OpenOk(prefix);
  ASSERT_NE(reader, nullptr);
  fs::remove(prefix + ".index");
  fs::remove(prefix + ".data-00000-of-00001");
  EXPECT_EQ(Scalar<float>(*reader, "c"), 3.0f);
}

// ---------------------------------------------------------------------------------------------
// Synthetic bundles for format features and failure modes the real ones do not show.

TEST(SyntheticBundleTest, ManyKeysAcrossShardsAndSnappyBlocks) {
  TempDir dir;
  BundleBuilder builder(3);
  for (int i = 0; i < 2000; ++i) {
    const float f = static_cast<float>(i);
    builder.Add<float>("layer_" + std::to_string(i) + "/kernel", {f, -f}, {2}, i % 3);
  }
  testing::TableOptions options;
  options.block_size = 1024;
  options.data_compression = kSnappyCompression;
  options.index_compression = kSnappyCompression;
  builder.Write(dir.path() + "/v", options);
  auto reader = OpenOk(dir.path() + "/v");
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->Keys().size(), 2000u);
  for (int i : {0, 1, 2, 999, 1999}) {
    const float f = static_cast<float>(i);
    EXPECT_THAT(Values<float>(ReadOk(*reader, "layer_" + std::to_string(i) + "/kernel")),
                ElementsAre(f, -f));
  }
  EXPECT_TRUE(reader->VerifyAll().ok());
}

TEST(SyntheticBundleTest, EmptyBundle) {
  TempDir dir;
  BundleBuilder().Write(dir.path() + "/v");
  auto reader = OpenOk(dir.path() + "/v");
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->Keys().empty());
  EXPECT_TRUE(reader->VerifyAll().ok());
  auto missing = reader->Read("nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("'nope'"));
}

TEST(SyntheticBundleTest, LargeTensorVerifiedInChunks) {
  TempDir dir;
  BundleBuilder builder;
  std::vector<float> values(3 << 20);  // 12 MiB: several VerifyAll chunks
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 1000);
  builder.Add<float>("big", values, {3, 1 << 20});
  builder.Write(dir.path() + "/v");
  auto reader = OpenOk(dir.path() + "/v");
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->VerifyAll().ok());
  const Tensor big = ReadOk(*reader, "big");
  EXPECT_EQ(big.flat<float>()[values.size() - 1], values.back());
  FlipByte(dir.path() + "/v.data-00000-of-00001", 9 << 20);
  auto damaged = OpenOk(dir.path() + "/v");
  ASSERT_NE(damaged, nullptr);
  EXPECT_EQ(damaged->VerifyAll().code(), StatusCode::kDataLoss);
  EXPECT_EQ(damaged->Read("big").status().code(), StatusCode::kDataLoss);
}

Status OpenStatus(const BundleBuilder& builder, const TempDir& dir) {
  builder.Write(dir.path() + "/v");
  auto reader = TensorBundleReader::Open(dir.path() + "/v");
  return reader.ok() ? Status::Ok() : reader.status();
}

TEST(SyntheticBundleTest, RejectsBigEndianAndFutureVersions) {
  TempDir dir;
  BundleBuilder big_endian;
  big_endian.header().set_endianness(tensorflow::BundleHeaderProto::BIG);
  const Status s = OpenStatus(big_endian, dir);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), HasSubstr("big-endian"));

  BundleBuilder future;
  future.header().mutable_version()->set_min_consumer(2);
  EXPECT_EQ(OpenStatus(future, dir).code(), StatusCode::kUnimplemented);

  BundleBuilder banned;
  banned.header().mutable_version()->add_bad_consumers(1);
  EXPECT_EQ(OpenStatus(banned, dir).code(), StatusCode::kUnimplemented);
}

TEST(SyntheticBundleTest, RejectsIndexWithoutHeader) {
  TempDir dir;
  testing::WriteFile(dir.path() + "/v.index", testing::BuildTable({{"a", ""}}));
  auto reader = TensorBundleReader::Open(dir.path() + "/v");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(reader.status().message(), HasSubstr("header"));
}

TEST(SyntheticBundleTest, RejectsInconsistentEntries) {
  TempDir dir;
  {
    BundleBuilder builder;
    builder.AddRaw("f", tensorflow::DT_FLOAT, {3}, std::string(8, '\0'));
    const Status s = OpenStatus(builder, dir);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss);
    EXPECT_THAT(s.message(), HasSubstr("'f'"));
    EXPECT_THAT(s.message(), HasSubstr("12 bytes"));
  }
  {
    BundleBuilder builder;
    builder.Add<float>("f", {1}, {1});
    builder.entry("f").set_shard_id(4);
    const Status s = OpenStatus(builder, dir);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss);
    EXPECT_THAT(s.message(), HasSubstr("shard 4"));
  }
  {
    BundleBuilder builder;
    builder.Add<float>("f", {1}, {1});
    builder.entry("f").mutable_shape()->mutable_dim(0)->set_size(-1);
    EXPECT_EQ(OpenStatus(builder, dir).code(), StatusCode::kDataLoss);
  }
}

TEST(SyntheticBundleTest, UnsupportedDtypeFailsOnlyWhenRead) {
  TempDir dir;
  BundleBuilder builder;
  builder.AddRaw("iterator", tensorflow::DT_VARIANT, {}, "opaque");
  builder.Add<float>("w", {1.5f}, {});
  builder.Write(dir.path() + "/v");
  auto reader = OpenOk(dir.path() + "/v");
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Scalar<float>(*reader, "w"), 1.5f);
  auto variant = reader->Read("iterator");
  ASSERT_FALSE(variant.ok());
  EXPECT_EQ(variant.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(variant.status().message(), HasSubstr("'iterator'"));
  EXPECT_THAT(variant.status().message(), HasSubstr("variant"));
  EXPECT_EQ(reader->VerifyAll().code(), StatusCode::kUnimplemented);
}

TEST(SyntheticBundleTest, StringLengthChecksumIsChecked) {
  TempDir dir;
  BundleBuilder builder;
  // Element lengths 1 and 2, a wrong length checksum, then the bytes; the entry checksum is
  // computed over these bytes as written, so only the inner checksum disagrees.
  std::string fixed_lengths;
  testing::PutFixed32(1, &fixed_lengths);
  testing::PutFixed32(2, &fixed_lengths);
  std::string bad_crc;
  testing::PutFixed32(crc32c::Mask(crc32c::Value(fixed_lengths)) ^ 1, &bad_crc);
  const std::string bytes = std::string("\x01\x02", 2) + bad_crc + "abc";
  uint32_t crc = crc32c::Value(fixed_lengths);
  crc = crc32c::Extend(crc, bad_crc.data(), 4);
  crc = crc32c::Extend(crc, "abc", 3);
  builder.AddWithChecksum("s", tensorflow::DT_STRING, {2}, bytes, crc);
  builder.AddStrings("good", {"a", "bc"}, {2});
  builder.Write(dir.path() + "/v");
  auto reader = OpenOk(dir.path() + "/v");
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(Values<std::string>(ReadOk(*reader, "good")), ElementsAre("a", "bc"));
  auto s = reader->Read("s");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.status().message(), HasSubstr("lengths"));
}

TEST(SyntheticBundleTest, PartitionedAcrossShardsWithWholeDimensionExtent) {
  using bundle_coding::EncodeTensorSliceKey;
  using bundle_coding::SliceExtent;
  TempDir dir;
  BundleBuilder builder(2);
  // A [2, 3, 4] tensor split along dimension 1 into columns {0} and {1, 2}; dimensions 0 and 2
  // are written as "whole" extents.
  const std::vector<SliceExtent> first = {{0, std::nullopt}, {0, 1}, {0, std::nullopt}};
  const std::vector<SliceExtent> second = {{0, std::nullopt}, {1, 2}, {0, std::nullopt}};
  builder.AddPartitioned("t", tensorflow::DT_INT32, {2, 3, 4}, {second, first});
  std::vector<int32_t> a;
  std::vector<int32_t> b;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 4; ++k) (j == 0 ? a : b).push_back(100 * i + 10 * j + k);
    }
  }
  builder.Add<int32_t>(EncodeTensorSliceKey("t", first), a, {2, 1, 4}, 0);
  builder.Add<int32_t>(EncodeTensorSliceKey("t", second), b, {2, 2, 4}, 1);
  builder.Write(dir.path() + "/v");
  auto reader = OpenOk(dir.path() + "/v");
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(reader->Keys(), ElementsAre("t"));
  const Tensor t = ReadOk(*reader, "t");
  ASSERT_EQ(t.shape(), TensorShape({2, 3, 4}));
  for (int i = 0; i < 24; ++i) {
    EXPECT_EQ(t.flat<int32_t>()[i], 100 * (i / 12) + 10 * (i / 4 % 3) + i % 4) << i;
  }
  EXPECT_TRUE(reader->VerifyAll().ok());
}

TEST(SyntheticBundleTest, RejectsBrokenPartitions) {
  using bundle_coding::EncodeTensorSliceKey;
  using bundle_coding::SliceExtent;
  const std::vector<SliceExtent> top = {{0, 2}};
  const std::vector<SliceExtent> bottom = {{2, 2}};
  const std::vector<SliceExtent> overlapping = {{1, 2}};
  TempDir dir;
  {
    BundleBuilder builder;  // a slice without data
    builder.AddPartitioned("p", tensorflow::DT_FLOAT, {4}, {top, bottom});
    builder.Add<float>(EncodeTensorSliceKey("p", top), {1, 2}, {2});
    const Status s = OpenStatus(builder, dir);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss);
    EXPECT_THAT(s.message(), HasSubstr("'p'"));
    EXPECT_THAT(s.message(), HasSubstr("slice 2,2"));
    EXPECT_THAT(s.message(), HasSubstr("no entry"));
  }
  {
    BundleBuilder builder;  // slices overlap
    builder.AddPartitioned("p", tensorflow::DT_FLOAT, {4}, {top, overlapping});
    builder.Add<float>(EncodeTensorSliceKey("p", top), {1, 2}, {2});
    builder.Add<float>(EncodeTensorSliceKey("p", overlapping), {1, 2}, {2});
    const Status s = OpenStatus(builder, dir);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss);
    EXPECT_THAT(s.message(), HasSubstr("overlaps"));
  }
  {
    BundleBuilder builder;  // a gap
    builder.AddPartitioned("p", tensorflow::DT_FLOAT, {4}, {top});
    builder.Add<float>(EncodeTensorSliceKey("p", top), {1, 2}, {2});
    const Status s = OpenStatus(builder, dir);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss);
    EXPECT_THAT(s.message(), HasSubstr("cover 2 of 4"));
  }
  {
    BundleBuilder builder;  // the slice's data has the wrong shape
    builder.AddPartitioned("p", tensorflow::DT_FLOAT, {4}, {top, bottom});
    builder.Add<float>(EncodeTensorSliceKey("p", top), {1, 2}, {2});
    builder.Add<float>(EncodeTensorSliceKey("p", bottom), {1, 2, 3}, {3});
    EXPECT_EQ(OpenStatus(builder, dir).code(), StatusCode::kDataLoss);
  }
}

TEST(ConcurrencyTest, ManyThreadsReadOneReader) {
  auto reader = OpenOk(Testdata("real_models/mlnet_cifar_saved_model/1/variables/variables"));
  ASSERT_NE(reader, nullptr);
  const std::vector<std::string> keys = reader->Keys();
  std::vector<double> expected;
  for (const std::string& key : keys) expected.push_back(Sum(ReadOk(*reader, key)));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (size_t i = 0; i < keys.size(); ++i) {
          const size_t k = (i + t) % keys.size();
          auto tensor = reader->Read(keys[k]);
          if (!tensor.ok() || Sum(*tensor) != expected[k]) ++mismatches[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_THAT(mismatches, ElementsAre(0, 0, 0, 0));
}

}  // namespace
}  // namespace tern
