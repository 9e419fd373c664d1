// Triton's logging extension mapped onto Tern's logging (common/logging.h): the settings by
// Triton's names and types, read and changed at run time. Transport-free; the REST and gRPC
// front ends convert their wire values to LogSettingValue. Thread-safe.
//
//   log_info, log_warning, log_error (bool)  -> whether those lines are written
//   log_verbose_level (uint32)               -> TERN_VLOG(n) lines with n <= level are written
//   log_format (string)                      -> "default" (Tern's layout) or "ISO8601" (Triton's)
//   log_file (string)                        -> always "": Tern logs to stderr, where its
//                                               supervisor (systemd, the container runtime)
//                                               collects it; any other value is refused
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "common/status.h"

namespace tern {

using LogSettingValue = std::variant<bool, uint32_t, std::string>;
using LogSettingMap = std::map<std::string, LogSettingValue>;

// Every setting, by Triton's name.
LogSettingMap CurrentLogSettings();

// Applies all of `changes` or none: INVALID_ARGUMENT naming the setting for an unknown name, a
// value of the wrong type, a log_format other than "default" or "ISO8601", or a log_file.
Status UpdateLogSettings(const LogSettingMap& changes);

// "a boolean", "an unsigned integer", "a string": what `name` takes, for the front ends' errors.
std::string LogSettingType(const LogSettingValue& value);

}  // namespace tern
