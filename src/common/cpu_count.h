// How many cores this process may keep busy, for sizing thread pools: the CPUs in its affinity
// mask (taskset, cpusets, a container's --cpuset-cpus), capped by a cgroup CPU quota (a
// container's --cpus, a Kubernetes CPU limit), rounded up; at least 1. What
// std::thread::hardware_concurrency reports (every CPU of the host) ignores both.
// Thread-safe; read once per process.
#pragma once

#include <optional>
#include <string_view>

namespace tern {

int SchedulableCores();

// Cores granted by a cgroup v2 `cpu.max` line ("QUOTA PERIOD", or "max PERIOD" for none),
// rounded up; nullopt when there is no limit or the text is not that.
std::optional<int> CoresFromCgroupCpuMax(std::string_view text);

}  // namespace tern
