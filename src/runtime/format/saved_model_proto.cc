#include "runtime/format/saved_model_proto.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tern {
namespace {

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (!in.good() && !in.eof()) return DataLoss("error reading '" + path + "'");
  return buffer.str();
}

}  // namespace

Status ReadSavedModelProto(const std::string& export_dir, tensorflow::SavedModel* out) {
  namespace fs = std::filesystem;
  const std::string pb = export_dir + "/saved_model.pb";
  const std::string pbtxt = export_dir + "/saved_model.pbtxt";
  std::error_code ec;
  if (fs::exists(pb, ec)) {
    TERN_ASSIGN_OR_RETURN(std::string bytes, ReadFile(pb));
    google::protobuf::io::ArrayInputStream raw(bytes.data(), static_cast<int>(bytes.size()));
    google::protobuf::io::CodedInputStream coded(&raw);
    coded.SetTotalBytesLimit(INT32_MAX);  // graphs with embedded constants exceed the default
    if (!out->ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
      return DataLoss("'" + pb + "' is not a valid SavedModel protobuf (truncated or corrupt)");
    }
    return Status::Ok();
  }
  if (fs::exists(pbtxt, ec)) {
    TERN_ASSIGN_OR_RETURN(std::string text, ReadFile(pbtxt));
    if (!google::protobuf::TextFormat::ParseFromString(text, out)) {
      return DataLoss("'" + pbtxt + "' is not a valid text-format SavedModel");
    }
    return Status::Ok();
  }
  return NotFound("no saved_model.pb or saved_model.pbtxt in '" + export_dir + "'");
}

}  // namespace tern
