// Fuzz target: serialized tf.Example protos (the input of classify/regress, and of any model
// that parses examples in its graph) through ParseSerializedExamples, the code of the
// ParseExample and ParseExampleV2 kernels, with a spec of every kind of feature: sparse string,
// int64 and float keys; dense float [2] and int64 [] keys with defaults, a required float [1]
// key and a string [1] key. The input is a batch of up to 4 examples, length-prefixed
// (fuzz_input.h). Any Status is fine; a crash, leak or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_memory.h"
#include "fuzz_protobuf.h"
#include "runtime/kernel.h"
#include "runtime/kernels/internal/parse_example.h"

namespace {

using tern::Tensor;
using tern::TensorShape;

struct Fixture {
  tern::ParseExampleSpec spec;
  std::vector<std::string> sparse_keys = {"s_str", "s_int", "s_flt"};
  std::vector<std::string> dense_keys = {"d_flt", "d_int", "d_req", "d_str"};
  std::vector<Tensor> defaults;

  Fixture() {
    spec.sparse_types = {tensorflow::DT_STRING, tensorflow::DT_INT64, tensorflow::DT_FLOAT};
    spec.dense_types = {tensorflow::DT_FLOAT, tensorflow::DT_INT64, tensorflow::DT_FLOAT,
                        tensorflow::DT_STRING};
    spec.dense_shapes = {{2}, {}, {1}, {1}};
    defaults.push_back(Tensor::FromVector<float>({0.5f, -1.0f}, TensorShape{2}));
    defaults.push_back(Tensor::FromVector<int64_t>({7}, TensorShape{}));
    defaults.push_back(Tensor::FromVector<float>({}, TensorShape{0}));  // empty: required
    defaults.push_back(Tensor::FromVector<std::string>({"none"}, TensorShape{1}));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tern::fuzz::LimitTensorMemory();
  tern::fuzz::SilenceProtobufLogs();
  static const Fixture fixture;
  const auto pieces = tern::fuzz::SplitPieces(data, size, 4);
  std::vector<std::string> batch;
  for (const auto& piece : pieces) {
    if (!piece.empty() || batch.empty()) batch.emplace_back(piece);
  }
  const Tensor serialized =
      Tensor::FromVector<std::string>(batch, TensorShape{static_cast<int64_t>(batch.size())});
  std::vector<const Tensor*> defaults;
  for (const Tensor& t : fixture.defaults) defaults.push_back(&t);
  const int num_outputs = 3 * static_cast<int>(fixture.sparse_keys.size()) +
                          static_cast<int>(fixture.dense_keys.size());
  std::vector<Tensor> outputs(num_outputs);
  const Tensor* inputs[] = {&serialized};
  tern::RunOptions options;
  // KernelContext keeps references to its names.
  static const std::string node_name = "parse", op = "ParseExampleV2";
  tern::KernelContext ctx(node_name, op, inputs, 1, outputs.data(), num_outputs, options, nullptr);
  (void)tern::ParseSerializedExamples(ctx, fixture.spec, serialized, fixture.sparse_keys,
                                      fixture.dense_keys, defaults);
  return 0;
}
