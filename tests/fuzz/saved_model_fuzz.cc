// Fuzz target: a SavedModel directory through SavedModel::Load, as the loader loads a version:
// saved_model.pb (the MetaGraphDef: GraphDef, function library, signatures, object graph) and
// its variables/ checkpoint (index and data shard) are the input, length-prefixed
// (fuzz_input.h). Load parses the graph, restores variables, runs the init op and plans every
// signature. Models come from other people, so these bytes are untrusted. Any Status is fine; a
// crash, leak or sanitizer report is a bug.
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "fuzz_input.h"
#include "fuzz_memory.h"
#include "runtime/saved_model/saved_model.h"

namespace {

// One export directory per process, its files rewritten on every input (never destroyed: the
// atexit cleanup reads it).
const std::string& ExportDir() {
  static const std::string* dir = [] {
    std::string d = "/tmp/tern_fuzz_saved_model_XXXXXX";
    if (mkdtemp(d.data()) == nullptr) std::abort();
    mkdir((d + "/variables").c_str(), 0700);
    return new std::string(d);
  }();
  static const bool cleanup_registered =
      std::atexit([] {
        unlink((*dir + "/saved_model.pb").c_str());
        unlink((*dir + "/variables/variables.index").c_str());
        unlink((*dir + "/variables/variables.data-00000-of-00001").c_str());
        rmdir((*dir + "/variables").c_str());
        rmdir(dir->c_str());
      }) == 0;
  (void)cleanup_registered;
  return *dir;
}

void Write(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tern::fuzz::LimitTensorMemory();
  const auto pieces = tern::fuzz::SplitPieces(data, size, 3);
  const std::string& dir = ExportDir();
  Write(dir + "/saved_model.pb", pieces[0]);
  Write(dir + "/variables/variables.index", pieces[1]);
  Write(dir + "/variables/variables.data-00000-of-00001", pieces[2]);
  auto model = tern::SavedModel::Load(dir, tern::SavedModelLoadOptions{});
  // To see how far the seeds get: TERN_FUZZ_VERBOSE=1 build/tests/fuzz/saved_model_fuzz <dir>
  static const bool verbose = std::getenv("TERN_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "load: %s\n", model.status().ToString().c_str());
  return 0;
}
