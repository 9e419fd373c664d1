#include "common/cpu_count.h"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace tern {
namespace {

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int> CoresFromQuota(int64_t quota_us, int64_t period_us) {
  if (quota_us <= 0 || period_us <= 0) return std::nullopt;
  return static_cast<int>(std::max<int64_t>(1, (quota_us + period_us - 1) / period_us));
}

std::string ReadSmallFile(const char* path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

int AffinityCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::optional<int> CgroupCores() {
  if (auto v2 = CoresFromCgroupCpuMax(ReadSmallFile("/sys/fs/cgroup/cpu.max"))) return v2;
  const auto quota = ParseInt(ReadSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"));
  const auto period = ParseInt(ReadSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_period_us"));
  if (quota && period) return CoresFromQuota(*quota, *period);  // v1: -1 means no limit
  return std::nullopt;
}

}  // namespace

std::optional<int> CoresFromCgroupCpuMax(std::string_view text) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto quota = ParseInt(text.substr(0, space));  // "max": no number, no limit
  const auto period = ParseInt(text.substr(space + 1));
  if (!quota || !period) return std::nullopt;
  return CoresFromQuota(*quota, *period);
}

int SchedulableCores() {
  static const int cores = [] {
    const int affinity = AffinityCores();
    const auto quota = CgroupCores();
    return quota ? std::min(affinity, *quota) : affinity;
  }();
  return cores;
}

}  // namespace tern
