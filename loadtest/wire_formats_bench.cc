// Wire-format cost of a 1M-element float tensor on one core, in MB/s of wire bytes:
//  - JSON decode: Tern's REST codec (ParsePredictRequest: its simdjson fast path for this body),
//    an nlohmann DOM (the codec's general path), nlohmann's SAX interface and simdjson's DOM
//    API alone, each into a float array;
//  - JSON encode: Tern's codec (WritePredictResponse, TF Serving's "%.6g, else %.9g" text) and
//    shortest round-trip text with std::to_chars;
//  - gRPC: a serialized PredictRequest with the tensor in tensor_content parsed and converted to
//    a Tensor (the path the gRPC front end takes).
// Every decoder is checked once to give back exactly the floats that were written.
//   build/loadtest/wire_formats_bench --benchmark_format=json   (loadtest/wire_formats.py runs it)
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "runtime/format/tensor_proto.h"
#include "server/codec/json_tensor.h"
#include "serving/predict.pb.h"

namespace {

constexpr int64_t kElements = 1 << 20;

const std::vector<float>& Values() {
  static const std::vector<float>* values = [] {
    auto* v = new std::vector<float>(kElements);
    std::mt19937 rng(42);
    std::normal_distribution<float> dist(0.0f, 10.0f);
    for (float& x : *v) x = dist(rng);
    return v;
  }();
  return *values;
}

// Shortest text that reads back as the same float.
void AppendShortest(std::string* out, float x) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x);
  (void)ec;
  out->append(buf, end);
}

// {"inputs": {"x": [v0, v1, ...]}}: TF Serving's columnar predict request (named input).
const std::string& RequestBody() {
  static const std::string* body = [] {
    auto* s = new std::string("{\"inputs\": {\"x\": [");
    const auto& v = Values();
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) s->push_back(',');
      AppendShortest(s, v[i]);
    }
    *s += "]}}";
    return s;
  }();
  return *body;
}

void Fail(const std::string& what) {
  std::cerr << "wire_formats_bench: " << what << "\n";
  std::exit(1);
}

void CheckExact(const float* got, size_t n, const std::string& what) {
  const auto& want = Values();
  if (n != want.size()) Fail(what + ": decoded " + std::to_string(n) + " elements");
  for (size_t i = 0; i < n; ++i) {
    if (got[i] != want[i]) Fail(what + ": element " + std::to_string(i) + " differs");
  }
}

tern::StatusOr<tern::SignatureInputSpecs> Lookup(const std::string&) {
  tern::SignatureInputSpecs specs;
  specs["x"] = {tensorflow::DT_FLOAT, {-1}, false};
  return specs;
}

void BM_DecodeTernCodec(benchmark::State& state) {
  const std::string& body = RequestBody();
  {
    auto parsed = tern::ParsePredictRequest(body, Lookup);
    if (!parsed.ok()) Fail(parsed.status().message());
    const tern::Tensor& t = parsed->inputs.at("x");
    CheckExact(t.flat<float>(), t.num_elements(), "tern codec");
  }
  for (auto _ : state) {
    auto parsed = tern::ParsePredictRequest(body, Lookup);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_DecodeTernCodec)->Unit(benchmark::kMillisecond);

// The DOM path Tern's codec takes when the fast path does not apply: nlohmann DOM, then floats.
void BM_DecodeNlohmannDom(benchmark::State& state) {
  const std::string& body = RequestBody();
  std::vector<float> out;
  auto decode = [&] {
    out.clear();
    const auto doc = nlohmann::json::parse(body);
    for (const auto& v : doc["inputs"]["x"]) out.push_back(static_cast<float>(v.get<double>()));
  };
  decode();
  CheckExact(out.data(), out.size(), "nlohmann DOM");
  for (auto _ : state) {
    decode();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_DecodeNlohmannDom)->Unit(benchmark::kMillisecond);

// Collects the numbers of the one array in {"inputs": {"x": [...]}}; anything else is an error.
class FloatArraySax : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit FloatArraySax(std::vector<float>* out) : out_(out) {}
  bool null() override { return false; }
  bool boolean(bool) override { return false; }
  bool number_integer(number_integer_t v) override { return Push(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Push(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return Push(v); }
  bool string(string_t&) override { return false; }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return ++depth_ <= 2; }
  bool key(string_t&) override { return true; }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override { return ++depth_ == 3; }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool Push(double v) {
    if (depth_ != 3) return false;
    out_->push_back(static_cast<float>(v));
    return true;
  }
  std::vector<float>* out_;
  int depth_ = 0;
};

void BM_DecodeNlohmannSax(benchmark::State& state) {
  const std::string& body = RequestBody();
  std::vector<float> out;
  {
    FloatArraySax sax(&out);
    if (!nlohmann::json::sax_parse(body, &sax)) Fail("nlohmann SAX parse failed");
    CheckExact(out.data(), out.size(), "nlohmann SAX");
  }
  for (auto _ : state) {
    out.clear();
    FloatArraySax sax(&out);
    benchmark::DoNotOptimize(nlohmann::json::sax_parse(body, &sax));
  }
  state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_DecodeNlohmannSax)->Unit(benchmark::kMillisecond);

// simdjson's DOM API (run-time dispatch to this CPU's best kernels), then floats.
bool SimdjsonDecode(simdjson::dom::parser& parser, const std::string& body,
                    std::vector<float>* out) {
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return false;
  simdjson::dom::array array;
  if (doc["inputs"]["x"].get_array().get(array)) return false;
  for (simdjson::dom::element element : array) {
    double v;
    if (element.get_double().get(v)) return false;
    out->push_back(static_cast<float>(v));
  }
  return true;
}

void BM_DecodeSimdjson(benchmark::State& state) {
  const std::string& body = RequestBody();
  simdjson::dom::parser parser;
  std::vector<float> out;
  if (!SimdjsonDecode(parser, body, &out)) Fail("simdjson parse failed");
  CheckExact(out.data(), out.size(), "simdjson");
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(SimdjsonDecode(parser, body, &out));
  }
  state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_DecodeSimdjson)->Unit(benchmark::kMillisecond);

tern::Tensor OutputTensor() {
  tern::Tensor t(tensorflow::DT_FLOAT, tern::TensorShape({kElements}));
  std::copy(Values().begin(), Values().end(), t.flat<float>());
  return t;
}

void BM_EncodeTernCodec(benchmark::State& state) {
  std::map<std::string, tern::Tensor> outputs{{"y", OutputTensor()}};
  size_t bytes = 0;
  for (auto _ : state) {
    auto json = tern::WritePredictResponse(outputs, tern::JsonFormat::kColumnar);
    bytes = json->size();
    benchmark::DoNotOptimize(json);
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_EncodeTernCodec)->Unit(benchmark::kMillisecond);

void BM_EncodeToChars(benchmark::State& state) {
  const auto& v = Values();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = "{\"outputs\": [";
    out.reserve(v.size() * 12);
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out.push_back(',');
      AppendShortest(&out, v[i]);
    }
    out += "]}";
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_EncodeToChars)->Unit(benchmark::kMillisecond);

void BM_GrpcTensorContent(benchmark::State& state) {
  tensorflow::serving::PredictRequest request;
  request.mutable_model_spec()->set_name("m");
  tern::TensorToProto(OutputTensor(), &(*request.mutable_inputs())["x"]);
  const std::string wire = request.SerializeAsString();
  {
    tensorflow::serving::PredictRequest parsed;
    if (!parsed.ParseFromString(wire)) Fail("PredictRequest parse failed");
    auto t = tern::TensorFromProto(parsed.inputs().at("x"));
    if (!t.ok()) Fail(t.status().message());
    CheckExact(t->flat<float>(), t->num_elements(), "gRPC tensor_content");
  }
  for (auto _ : state) {
    tensorflow::serving::PredictRequest parsed;
    parsed.ParseFromString(wire);
    auto t = tern::TensorFromProto(parsed.inputs().at("x"));
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(state.iterations() * wire.size());
}
BENCHMARK(BM_GrpcTensorContent)->Unit(benchmark::kMillisecond);

// The server side of a gRPC Predict answer: a 1M-float output tensor into a serialized
// PredictResponse, in TF Serving's default form (float_val) and with
// --enable_serialization_as_tensor_content. MB/s of the bytes written.
void EncodePredictResponse(benchmark::State& state, tern::TensorProtoEncoding encoding) {
  const tern::Tensor tensor = OutputTensor();
  size_t bytes = 0;
  for (auto _ : state) {
    tensorflow::serving::PredictResponse response;
    tern::TensorToProto(tensor, &(*response.mutable_outputs())["y"], encoding);
    const std::string wire = response.SerializeAsString();
    bytes = wire.size();
    benchmark::DoNotOptimize(wire);
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}

void BM_GrpcEncodeTypedFields(benchmark::State& state) {
  EncodePredictResponse(state, tern::TensorProtoEncoding::kTypedFields);
}
BENCHMARK(BM_GrpcEncodeTypedFields)->Unit(benchmark::kMillisecond);

void BM_GrpcEncodeTensorContent(benchmark::State& state) {
  EncodePredictResponse(state, tern::TensorProtoEncoding::kTensorContent);
}
BENCHMARK(BM_GrpcEncodeTensorContent)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
