// Fuzz target: a SavedModel's variables/ checkpoint (a tensor bundle: the .index table and one
// .data shard) through TensorBundleReader, as SavedModel::Load restores variables: Open (which
// checks the whole index and the shards), then Read every key and VerifyAll. Models come from
// other people, so these bytes are untrusted. The input is the index, length-prefixed, then the
// data shard (fuzz_input.h). Any Status is fine; a crash, leak or sanitizer report is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "fuzz_input.h"
#include "fuzz_memory.h"
#include "runtime/format/tensor_bundle.h"

namespace {

// One directory per process, its files rewritten on every input (never destroyed: the atexit
// cleanup reads it).
const std::string& Prefix() {
  static const std::string* prefix = [] {
    std::string dir = "/tmp/tern_fuzz_bundle_XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) std::abort();
    return new std::string(dir + "/variables");
  }();
  static const bool cleanup_registered = std::atexit([] {
                                           unlink((*prefix + ".index").c_str());
                                           unlink((*prefix + ".data-00000-of-00001").c_str());
                                           rmdir(prefix->substr(0, prefix->rfind('/')).c_str());
                                         }) == 0;
  (void)cleanup_registered;
  return *prefix;
}

void Write(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tern::fuzz::LimitTensorMemory();
  const auto pieces = tern::fuzz::SplitPieces(data, size, 2);
  const std::string& prefix = Prefix();
  Write(prefix + ".index", pieces[0]);
  Write(prefix + ".data-00000-of-00001", pieces[1]);
  auto reader = tern::TensorBundleReader::Open(prefix);
  if (!reader.ok()) return 0;
  for (const std::string& key : (*reader)->Keys()) (void)(*reader)->Read(key);
  (void)(*reader)->VerifyAll();
  return 0;
}
