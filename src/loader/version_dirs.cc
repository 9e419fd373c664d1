#include "loader/version_dirs.h"

#include <charconv>
#include <filesystem>

namespace tern {

StatusOr<std::map<int64_t, std::string>> ListVersionDirs(const std::string& base_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(base_path, ec)) {
    return NotFound("model base path '" + base_path + "' is not a directory");
  }
  std::map<int64_t, std::string> versions;
  for (const auto& entry : fs::directory_iterator(base_path, ec)) {
    if (!entry.is_directory(ec)) continue;
    const std::string name = entry.path().filename().string();
    int64_t version = 0;
    auto [ptr, err] = std::from_chars(name.data(), name.data() + name.size(), version);
    if (err != std::errc() || ptr != name.data() + name.size() || version <= 0) continue;
    versions[version] = entry.path().string();
  }
  if (ec) return Internal("cannot list '" + base_path + "': " + ec.message());
  return versions;
}

}  // namespace tern
