#include "loader/memory_budget.h"

#include <filesystem>
#include <system_error>

#include "runtime/memory_account.h"

namespace tern {

int64_t EstimateVersionBytes(const std::string& version_dir) {
  namespace fs = std::filesystem;
  int64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(version_dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code file_ec;
    if (!it->is_regular_file(file_ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.rfind("saved_model.pb", 0) == 0 || name.find(".data-") != std::string::npos) {
      total += static_cast<int64_t>(it->file_size(file_ec));
    }
  }
  return total;
}

std::string Megabytes(int64_t bytes) {
  if (bytes < (1 << 20)) return std::to_string((bytes + 1023) >> 10) + " KB";
  return std::to_string((bytes + (1 << 19)) >> 20) + " MB";
}

std::string BudgetShortfall(int64_t bytes, int64_t loaded_bytes, int64_t model_budget_bytes) {
  if (model_budget_bytes > 0 && loaded_bytes + bytes > model_budget_bytes) {
    return "--model_memory_budget_mb (" + Megabytes(model_budget_bytes) + ", " +
           Megabytes(loaded_bytes) + " loaded)";
  }
  // In use counts the loaded models and the requests in flight: a load that would leave no
  // room for requests is refused the same way a request is.
  const int64_t process_limit = TensorMemory::ProcessLimitBytes();
  const int64_t in_use = TensorMemory::InUseBytes();
  if (process_limit > 0 && in_use + bytes > process_limit) {
    return "--memory_limit_mb (" + Megabytes(process_limit) + ", " + Megabytes(in_use) +
           " in use by models and requests)";
  }
  return "";
}

}  // namespace tern
