#include "loader/version_check.h"

#include <filesystem>

#include "runtime/format/saved_model_proto.h"
#include "runtime/format/tensor_bundle.h"

namespace tern {

Status CheckVersionComplete(const std::string& version_dir) {
  namespace fs = std::filesystem;
  tensorflow::SavedModel proto;
  TERN_RETURN_IF_ERROR(ReadSavedModelProto(version_dir, &proto));
  bool has_saver = false;
  for (const auto& meta_graph : proto.meta_graphs()) {
    if (!meta_graph.saver_def().restore_op_name().empty()) has_saver = true;
  }
  const std::string prefix = version_dir + "/variables/variables";
  std::error_code ec;
  const bool has_index = fs::exists(prefix + ".index", ec);
  if (!has_index) {
    // An export with variables whose index is not there yet is still being written.
    if (has_saver || fs::exists(version_dir + "/variables", ec)) {
      return Unavailable("version directory '" + version_dir + "' is incomplete: '" + prefix +
                         ".index' is missing");
    }
    return Status::Ok();
  }
  auto reader = TensorBundleReader::Open(prefix);
  if (!reader.ok()) return reader.status();
  return (*reader)->VerifyAll();
}

}  // namespace tern
