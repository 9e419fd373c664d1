// Single-op kernel tests against TensorFlow. The goldens
// (tests/runtime/kernels/kernels_golden.json) are recorded by
// tests/runtime/kernels/kernels_golden.py with tf.raw_ops: each case builds a NodeDef with only the
// attrs the case sets (defaults stripped, as in an export), runs the registered kernel on the
// recorded inputs and compares every output with TensorFlow's, or expects an error where TensorFlow
// raised one. Hand-written tests of what goldens cannot express are in kernel_behaviour_test.cc.
#include <Eigen/Core>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <complex>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "run_kernel.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/state/resources.h"
#include "tf/attr_value.pb.h"
#include "tf/node_def.pb.h"

namespace tern {
namespace {

using nlohmann::json;

// kernels_golden.json (kernels_golden.py), kernels_golden_text.json (kernels_golden_text.py),
// kernels_golden_numeric.json (kernels_golden_numeric.py), kernels_golden_image.json
// (kernels_golden_image.py), kernels_golden_math.json (kernels_golden_math.py) and
// kernels_golden_narrow.json (kernels_golden_narrow.py: bfloat16 and half).
const std::vector<std::string> kGoldenPaths = {
    std::string(TERN_SOURCE_DIR) + "/tests/runtime/kernels/kernels_golden.json",
    std::string(TERN_SOURCE_DIR) + "/tests/runtime/kernels/kernels_golden_text.json",
    std::string(TERN_SOURCE_DIR) + "/tests/runtime/kernels/kernels_golden_numeric.json",
    std::string(TERN_SOURCE_DIR) + "/tests/runtime/kernels/kernels_golden_image.json",
    std::string(TERN_SOURCE_DIR) + "/tests/runtime/kernels/kernels_golden_math.json",
    std::string(TERN_SOURCE_DIR) + "/tests/runtime/kernels/kernels_golden_narrow.json",
};

DataType DtypeFromName(const std::string& name) {
  static const std::map<std::string, DataType> names = {
      {"float32", tensorflow::DT_FLOAT},       {"float64", tensorflow::DT_DOUBLE},
      {"int8", tensorflow::DT_INT8},           {"int16", tensorflow::DT_INT16},
      {"int32", tensorflow::DT_INT32},         {"int64", tensorflow::DT_INT64},
      {"uint8", tensorflow::DT_UINT8},         {"uint16", tensorflow::DT_UINT16},
      {"uint32", tensorflow::DT_UINT32},       {"uint64", tensorflow::DT_UINT64},
      {"bool", tensorflow::DT_BOOL},           {"string", tensorflow::DT_STRING},
      {"float16", tensorflow::DT_HALF},        {"bfloat16", tensorflow::DT_BFLOAT16},
      {"complex64", tensorflow::DT_COMPLEX64}, {"complex128", tensorflow::DT_COMPLEX128},
  };
  auto it = names.find(name);
  EXPECT_NE(it, names.end()) << "unknown dtype " << name;
  return it == names.end() ? tensorflow::DT_INVALID : it->second;
}

double JsonFloat(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    ADD_FAILURE() << "bad float " << s;
    return 0;
  }
  return v.get<double>();
}

Tensor TensorFromJson(const json& j) {
  const DataType dtype = DtypeFromName(j.at("dtype").get<std::string>());
  std::vector<int64_t> dims = j.at("shape").get<std::vector<int64_t>>();
  Tensor t(dtype, TensorShape(dims));
  const json& values = j.at("values");
  EXPECT_EQ(static_cast<int64_t>(values.size()), t.num_elements());
  for (size_t i = 0; i < values.size(); ++i) {
    const json& v = values[i];
    switch (dtype) {
      case tensorflow::DT_FLOAT: t.flat<float>()[i] = static_cast<float>(JsonFloat(v)); break;
      case tensorflow::DT_DOUBLE: t.flat<double>()[i] = JsonFloat(v); break;
      case tensorflow::DT_HALF:  // the JSON double holds the half exactly
        t.flat<Eigen::half>()[i] = Eigen::half(static_cast<float>(JsonFloat(v)));
        break;
      case tensorflow::DT_BFLOAT16:  // likewise
        t.flat<Eigen::bfloat16>()[i] = Eigen::bfloat16(static_cast<float>(JsonFloat(v)));
        break;
      case tensorflow::DT_COMPLEX64:  // [real, imaginary]
        t.flat<std::complex<float>>()[i] = {static_cast<float>(JsonFloat(v.at(0))),
                                            static_cast<float>(JsonFloat(v.at(1)))};
        break;
      case tensorflow::DT_COMPLEX128:
        t.flat<std::complex<double>>()[i] = {JsonFloat(v.at(0)), JsonFloat(v.at(1))};
        break;
      case tensorflow::DT_INT8: t.flat<int8_t>()[i] = v.get<int8_t>(); break;
      case tensorflow::DT_INT16: t.flat<int16_t>()[i] = v.get<int16_t>(); break;
      case tensorflow::DT_INT32: t.flat<int32_t>()[i] = v.get<int32_t>(); break;
      case tensorflow::DT_INT64: t.flat<int64_t>()[i] = v.get<int64_t>(); break;
      case tensorflow::DT_UINT8: t.flat<uint8_t>()[i] = v.get<uint8_t>(); break;
      case tensorflow::DT_UINT16: t.flat<uint16_t>()[i] = v.get<uint16_t>(); break;
      case tensorflow::DT_UINT32: t.flat<uint32_t>()[i] = v.get<uint32_t>(); break;
      case tensorflow::DT_UINT64: t.flat<uint64_t>()[i] = v.get<uint64_t>(); break;
      case tensorflow::DT_BOOL: t.flat<bool>()[i] = v.get<bool>(); break;
      case tensorflow::DT_STRING: {
        // Written as latin-1 code points, one per byte.
        std::string bytes;
        const std::string utf8 = v.get<std::string>();
        for (size_t k = 0; k < utf8.size(); ++k) {
          const unsigned char c = static_cast<unsigned char>(utf8[k]);
          if (c < 0x80) {
            bytes.push_back(static_cast<char>(c));
          } else {
            bytes.push_back(static_cast<char>(((c & 0x1f) << 6) | (utf8[++k] & 0x3f)));
          }
        }
        t.flat<std::string>()[i] = bytes;
        break;
      }
      default: ADD_FAILURE() << "unsupported dtype"; break;
    }
  }
  return t;
}

tensorflow::AttrValue AttrFromJson(const json& j) {
  tensorflow::AttrValue a;
  if (j.contains("b")) {
    a.set_b(j.at("b").get<bool>());
  } else if (j.contains("i")) {
    a.set_i(j.at("i").get<int64_t>());
  } else if (j.contains("f")) {
    a.set_f(j.at("f").get<float>());
  } else if (j.contains("s")) {
    a.set_s(j.at("s").get<std::string>());
  } else if (j.contains("type")) {
    a.set_type(DtypeFromName(j.at("type").get<std::string>()));
  } else if (j.contains("list_f")) {
    a.mutable_list();
    for (const auto& f : j.at("list_f")) a.mutable_list()->add_f(f.get<float>());
  } else if (j.contains("list_i")) {
    a.mutable_list();
    for (const auto& i : j.at("list_i")) a.mutable_list()->add_i(i.get<int64_t>());
  } else if (j.contains("list_s")) {
    a.mutable_list();
    for (const auto& v : j.at("list_s")) a.mutable_list()->add_s(v.get<std::string>());
  } else if (j.contains("shape")) {
    auto* shape = a.mutable_shape();
    if (j.at("shape").is_null()) {
      shape->set_unknown_rank(true);
    } else {
      for (const auto& d : j.at("shape")) shape->add_dim()->set_size(d.get<int64_t>());
    }
  } else if (j.contains("list_type")) {
    a.mutable_list();
    for (const auto& t : j.at("list_type")) {
      a.mutable_list()->add_type(DtypeFromName(t.get<std::string>()));
    }
  } else {
    ADD_FAILURE() << "unknown attr encoding " << j.dump();
  }
  return a;
}

// Tolerance for ops whose float results depend on summation order (MatMul, Sum, Mean, Softmax)
// or on the math library (TensorFlow uses Eigen's vectorized approximations of tanh, exp, erf,
// ..., which differ from libm by a few ulps).
bool NeedsTolerance(const std::string& op) {
  static const std::set<std::string> ops = {
      "MatMul",
      "SparseMatMul",
      "Sum",
      "Mean",
      "Softmax",
      "Tanh",
      "Sigmoid",
      "Erf",
      "Exp",
      "Log",
      "Sqrt",
      "Rsqrt",
      "Conv2D",
      "DepthwiseConv2dNative",
      "AvgPool",
      "FusedBatchNormV3",
      "BatchMatMul",
      "BatchMatMulV2",
      "BatchMatMulV3",
      "Einsum",
      "Erfc",
      "Elu",
      "Selu",
      "Softplus",
      "Lgamma",
      "Digamma",
      "Conv2DBackpropInput",
      "Pow",
      // Eigen's vectorized sin/cos/log1p/expm1 and libm's differ by an ulp or two.
      "Sin",
      "Cos",
      "Tan",
      "Asin",
      "Acos",
      "Atan",
      "Atan2",
      "Sinh",
      "Cosh",
      "Asinh",
      "Acosh",
      "Atanh",
      "Log1p",
      "Expm1",
      "Xlogy",
      "LogSoftmax",
      // TensorFlow's float reciprocal is Eigen's approximation refined by a Newton step.
      "Reciprocal",
      "Inv",
      // The per-channel mean, summed in another order.
      "AdjustContrastv2",
      // A DFT summed in double, where TensorFlow's FFT library rounds each butterfly to float.
      "RFFT",
      "FFT2D",
      // The 3-D convolutions and AvgPool3D sum in a different order than TensorFlow.
      "Conv3D",
      "Conv3DBackpropInputV2",
      "AvgPool3D",
  };
  return ops.count(op) > 0;
}

// The distance in units in the last place between two finite 16-bit floats (half or bfloat16)
// of their bit patterns: consecutive values differ by 1, across zero too.
int64_t NarrowUlps(uint16_t a, uint16_t b) {
  auto ordered = [](uint16_t bits) -> int64_t {
    return (bits & 0x8000) ? -static_cast<int64_t>(bits & 0x7fff) : static_cast<int64_t>(bits);
  };
  return std::abs(ordered(a) - ordered(b));
}

// max_ulp: for half and bfloat16 outputs, how many ulps a value may be off TensorFlow's (0:
// bitwise equal). A golden case sets it, with the reason in the script that records it.
void ExpectTensorsEqual(const Tensor& got, const Tensor& want, bool tolerant, int max_ulp = 0) {
  ASSERT_EQ(got.dtype(), want.dtype()) << DataTypeName(got.dtype());
  ASSERT_EQ(got.shape(), want.shape())
      << got.shape().DebugString() << " vs " << want.shape().DebugString();
  const int64_t n = want.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    SCOPED_TRACE("element " + std::to_string(i));
    switch (want.dtype()) {
      case tensorflow::DT_FLOAT:
      case tensorflow::DT_DOUBLE: {
        const double a =
            want.dtype() == tensorflow::DT_FLOAT ? got.flat<float>()[i] : got.flat<double>()[i];
        const double b =
            want.dtype() == tensorflow::DT_FLOAT ? want.flat<float>()[i] : want.flat<double>()[i];
        if (std::isnan(b)) {
          EXPECT_TRUE(std::isnan(a)) << a;
        } else if (tolerant && a != b) {  // a == b covers infinities
          EXPECT_LE(std::abs(a - b), 1e-5 + 1e-5 * std::abs(b)) << a << " vs " << b;
        } else {
          EXPECT_EQ(a, b);
        }
        break;
      }
      case tensorflow::DT_HALF:
      case tensorflow::DT_BFLOAT16: {  // exact, but any NaN matches ("nan" in JSON loses the bits)
        const bool half = want.dtype() == tensorflow::DT_HALF;
        const float a = half ? static_cast<float>(got.flat<Eigen::half>()[i])
                             : static_cast<float>(got.flat<Eigen::bfloat16>()[i]);
        const float b = half ? static_cast<float>(want.flat<Eigen::half>()[i])
                             : static_cast<float>(want.flat<Eigen::bfloat16>()[i]);
        uint16_t got_bits, want_bits;
        std::memcpy(&got_bits, static_cast<const char*>(got.raw_data()) + 2 * i, 2);
        std::memcpy(&want_bits, static_cast<const char*>(want.raw_data()) + 2 * i, 2);
        if (std::isnan(b)) {
          EXPECT_TRUE(std::isnan(a)) << a;
        } else if (max_ulp > 0 && std::isfinite(a) && std::isfinite(b) && a != b) {
          EXPECT_LE(NarrowUlps(got_bits, want_bits), max_ulp) << a << " vs " << b;
        } else {
          EXPECT_EQ(got_bits, want_bits) << a << " vs " << b;  // bitwise: -0 differs from +0
        }
        break;
      }
      case tensorflow::DT_STRING:
        EXPECT_EQ(got.flat<std::string>()[i], want.flat<std::string>()[i]);
        break;
      case tensorflow::DT_COMPLEX64:
      case tensorflow::DT_COMPLEX128: {  // each part as a float
        const bool single = want.dtype() == tensorflow::DT_COMPLEX64;
        for (int part = 0; part < 2; ++part) {
          const double a = single ? reinterpret_cast<const float*>(got.raw_data())[2 * i + part]
                                  : reinterpret_cast<const double*>(got.raw_data())[2 * i + part];
          const double b = single ? reinterpret_cast<const float*>(want.raw_data())[2 * i + part]
                                  : reinterpret_cast<const double*>(want.raw_data())[2 * i + part];
          if (std::isnan(b)) {
            EXPECT_TRUE(std::isnan(a)) << a;
          } else if (tolerant && a != b) {
            EXPECT_LE(std::abs(a - b), 1e-5 + 1e-5 * std::abs(b)) << a << " vs " << b;
          } else {
            EXPECT_EQ(a, b);
          }
        }
        break;
      }
      default: {
        const size_t size = DataTypeSize(want.dtype());
        EXPECT_EQ(0, std::memcmp(static_cast<const char*>(got.raw_data()) + i * size,
                                 static_cast<const char*>(want.raw_data()) + i * size, size));
        if (want.dtype() == tensorflow::DT_INT64) {
          EXPECT_EQ(got.flat<int64_t>()[i], want.flat<int64_t>()[i]);
        } else if (want.dtype() == tensorflow::DT_INT32) {
          EXPECT_EQ(got.flat<int32_t>()[i], want.flat<int32_t>()[i]);
        }
      }
    }
  }
}

struct GoldenCase {
  std::string name;
  json spec;
};

void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.name; }

std::vector<GoldenCase> LoadCases() {
  std::vector<GoldenCase> cases;
  for (const std::string& path : kGoldenPaths) {
    std::ifstream in(path);
    if (!in.good()) {
      ADD_FAILURE() << "cannot open " << path;
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    for (const json& c : json::parse(ss.str())) {
      cases.push_back({c.at("name").get<std::string>(), c});
    }
  }
  return cases;
}

class KernelGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(KernelGoldenTest, MatchesTensorFlow) {
  const json& c = GetParam().spec;
  tensorflow::NodeDef node;
  node.set_name("test_node");
  node.set_op(c.at("op").get<std::string>());
  for (const auto& [name, value] : c.at("attrs").items()) {
    (*node.mutable_attr())[name] = AttrFromJson(value);
  }
  std::vector<Tensor> inputs;
  for (const json& t : c.at("inputs")) inputs.push_back(TensorFromJson(t));
  auto outputs = RunKernel(node, inputs);
  if (c.contains("error")) {
    ASSERT_FALSE(outputs.ok()) << "TensorFlow failed with: " << c.at("error").get<std::string>();
    EXPECT_EQ(outputs.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(outputs.status().message().find("test_node"), std::string::npos)
        << outputs.status().message();
    return;
  }
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  const json& want = c.at("outputs");
  ASSERT_EQ(outputs->size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("output " + std::to_string(i));
    ExpectTensorsEqual((*outputs)[i], TensorFromJson(want[i]), NeedsTolerance(node.op()),
                       c.value("max_ulp", 0));
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, KernelGoldenTest, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           std::string name = info.param.name;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace tern
