#include "runtime/tensorflow/tensorflow_library.h"

#include <dlfcn.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "common/logging.h"
#include "runtime/tensorflow/tensorflow_runtime.h"

namespace tern {
namespace {

namespace fs = std::filesystem;

constexpr char kLibrary[] = "libtensorflow_cc.so.2";
constexpr char kFramework[] = "libtensorflow_framework.so.2";

struct Loaded {
  std::once_flag once;
  std::mutex mu;  // guards options until the load
  TensorflowOptions options;
  Status status = Status::Ok();
  TfApi api;
  std::string description;
};

Loaded& State() {
  static auto* state = new Loaded();  // never destroyed: TensorFlow stays loaded to the end
  return *state;
}

bool HasLibrary(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / kLibrary, ec);
}

// The tensorflow package directory of the first Python environment found: $VIRTUAL_ENV, a .venv
// in a directory above the binary (build/tern and build/tests/* find the repository's), ./.venv,
// then whatever `python3` finds (find_spec locates the package without importing TensorFlow).
std::string DiscoverDirectory() {
  std::vector<fs::path> venvs;
  if (const char* v = std::getenv("VIRTUAL_ENV"); v != nullptr && *v) venvs.emplace_back(v);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path dir = exe.parent_path(); dir.has_relative_path(); dir = dir.parent_path()) {
      venvs.push_back(dir / ".venv");
    }
  }
  venvs.emplace_back(".venv");
  for (const auto& venv : venvs) {
    const fs::path lib = venv / "lib";
    if (!fs::is_directory(lib, ec)) continue;
    for (const auto& entry : fs::directory_iterator(lib, ec)) {
      const fs::path dir = entry.path() / "site-packages" / "tensorflow";
      if (entry.path().filename().string().rfind("python", 0) == 0 && HasLibrary(dir)) {
        return dir.string();
      }
    }
  }
  FILE* pipe = popen(
      "python3 -c 'import importlib.util as u, os; s = u.find_spec(\"tensorflow\"); "
      "print(os.path.dirname(s.origin) if s and s.origin else \"\")' 2>/dev/null",
      "r");
  if (pipe == nullptr) return "";
  std::array<char, 4096> buffer{};
  std::string out;
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
  pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return !out.empty() && HasLibrary(out) ? out : "";
}

Status Load(Loaded* state) {
  std::string dir;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    dir = state->options.library;
  }
  std::error_code ec;
  if (!dir.empty() && fs::is_regular_file(dir, ec)) dir = fs::path(dir).parent_path().string();
  if (dir.empty()) {
    dir = DiscoverDirectory();
    if (dir.empty()) {
      return FailedPrecondition(
          "TensorFlow is not available: no Python environment with the tensorflow package "
          "found ($VIRTUAL_ENV, .venv, python3); install tensorflow-cpu or pass "
          "--tensorflow_library=<site-packages>/tensorflow/libtensorflow_cc.so.2");
    }
  } else if (!HasLibrary(dir)) {
    return FailedPrecondition("TensorFlow is not available: --tensorflow_library: no " +
                              std::string(kLibrary) + " in '" + dir + "'");
  }
  // TensorFlow logs every load at INFO to stderr; Tern keeps warnings (the user's own setting
  // wins).
  setenv("TF_CPP_MIN_LOG_LEVEL", "1", /*overwrite=*/0);
  // RTLD_DEEPBIND: TensorFlow's own protobuf and absl before the ones already in the process.
  // RTLD_LOCAL: none of TensorFlow's symbols are seen by anything else.
  const int flags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
  const std::string framework = (fs::path(dir) / kFramework).string();
  if (dlopen(framework.c_str(), flags) == nullptr) {
    return FailedPrecondition("TensorFlow is not available: dlopen('" + framework +
                              "'): " + dlerror());
  }
  const std::string library = (fs::path(dir) / kLibrary).string();
  void* handle = dlopen(library.c_str(), flags);
  if (handle == nullptr) {
    return FailedPrecondition("TensorFlow is not available: dlopen('" + library +
                              "'): " + dlerror());
  }
  TfApi& api = state->api;
#define TERN_TF_RESOLVE(name)                                                                 \
  api.name = reinterpret_cast<decltype(api.name)>(dlsym(handle, #name));                      \
  if (api.name == nullptr) {                                                                  \
    return FailedPrecondition("TensorFlow is not available: '" + library + "' lacks " #name); \
  }
  TERN_TF_FUNCTIONS(TERN_TF_RESOLVE)
#undef TERN_TF_RESOLVE
  state->description = std::string("TensorFlow ") + api.TF_Version() + " (" + dir + ")";
  TERN_LOG(Info) << "TensorFlow runtime: loaded " << state->description;
  return Status::Ok();
}

}  // namespace

void ConfigureTensorflow(const TensorflowOptions& options) {
  std::lock_guard<std::mutex> lock(State().mu);
  State().options = options;
}

StatusOr<const TfApi*> TensorflowApi() {
  Loaded& state = State();
  std::call_once(state.once, [&] { state.status = Load(&state); });
  if (!state.status.ok()) return state.status;
  return &state.api;
}

Status TensorflowAvailable() { return TensorflowApi().status(); }

std::string TensorflowDescription() {
  return TensorflowAvailable().ok() ? State().description : "";
}

TensorflowOptions CurrentTensorflowOptions() {
  std::lock_guard<std::mutex> lock(State().mu);
  return State().options;
}

Status FromTfStatus(const TfApi& api, TF_Status* status, const std::string& context) {
  const int code = api.TF_GetCode(status);
  if (code == TF_OK) return Status::Ok();
  // TF_Code numbers are the canonical codes, as StatusCode's are.
  return Status(static_cast<StatusCode>(code), context + ": " + api.TF_Message(status));
}

Status LoadCustomOpLibraries(const std::vector<std::string>& paths) {
  if (paths.empty()) return Status::Ok();
  auto api = TensorflowApi();
  if (!api.ok()) {
    return FailedPrecondition("--custom_op_libraries needs the TensorFlow runtime: " +
                              api.status().message());
  }
  for (const auto& path : paths) {
    TF_Status* status = (*api)->TF_NewStatus();
    // The handle is kept for the process's life: the ops it registered stay registered.
    (*api)->TF_LoadLibrary(path.c_str(), status);
    Status loaded = FromTfStatus(**api, status, "loading custom op library '" + path + "'");
    (*api)->TF_DeleteStatus(status);
    TERN_RETURN_IF_ERROR(loaded);
    TERN_LOG(Info) << "TensorFlow runtime: loaded custom op library " << path;
  }
  return Status::Ok();
}

}  // namespace tern
