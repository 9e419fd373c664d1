// Fuzz target: a serialized tensorflow.TensorProto (what gRPC Predict requests and graph
// constants carry) through TensorFromProto, as the gRPC front end converts request inputs, and
// the tensor written back as the response would be. Bytes that do not parse as a TensorProto
// are skipped (protobuf's own parser is not ours to fuzz); any Status is fine; a crash, leak or
// sanitizer report is a bug.
#include <cstddef>
#include <cstdint>

#include "fuzz_memory.h"
#include "fuzz_protobuf.h"
#include "runtime/format/tensor_proto.h"
#include "tf/tensor.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tern::fuzz::SilenceProtobufLogs();
  tern::fuzz::LimitTensorMemory();
  tensorflow::TensorProto proto;
  if (!proto.ParseFromArray(data, static_cast<int>(size))) return 0;
  auto tensor = tern::TensorFromProto(proto);
  if (tensor.ok()) {
    tensorflow::TensorProto typed;
    tern::TensorToProto(*tensor, &typed, tern::TensorProtoEncoding::kTypedFields);
    tensorflow::TensorProto content;
    tern::TensorToProto(*tensor, &content, tern::TensorProtoEncoding::kTensorContent);
  }
  return 0;
}
