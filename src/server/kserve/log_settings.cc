#include "server/kserve/log_settings.h"

#include "common/logging.h"

namespace tern {
namespace {

constexpr const char* kNames =
    "log_file, log_info, log_warning, log_error, log_verbose_level, "
    "log_format";

template <typename T>
Status Read(const std::string& name, const LogSettingValue& value, T* out) {
  if (const T* v = std::get_if<T>(&value)) {
    *out = *v;
    return Status::Ok();
  }
  return InvalidArgument("log setting '" + name + "' must be " + LogSettingType(T{}) + ", got " +
                         LogSettingType(value));
}

}  // namespace

std::string LogSettingType(const LogSettingValue& value) {
  if (std::holds_alternative<bool>(value)) return "a boolean";
  if (std::holds_alternative<uint32_t>(value)) return "an unsigned integer";
  return "a string";
}

LogSettingMap CurrentLogSettings() {
  const LogSettings s = GetLogSettings();
  return {{"log_file", std::string()},
          {"log_info", s.info},
          {"log_warning", s.warning},
          {"log_error", s.error},
          {"log_verbose_level", s.verbose_level},
          {"log_format", std::string(s.format == LogFormat::kIso8601 ? "ISO8601" : "default")}};
}

Status UpdateLogSettings(const LogSettingMap& changes) {
  LogSettings s = GetLogSettings();
  for (const auto& [name, value] : changes) {
    if (name == "log_info") {
      TERN_RETURN_IF_ERROR(Read(name, value, &s.info));
    } else if (name == "log_warning") {
      TERN_RETURN_IF_ERROR(Read(name, value, &s.warning));
    } else if (name == "log_error") {
      TERN_RETURN_IF_ERROR(Read(name, value, &s.error));
    } else if (name == "log_verbose_level") {
      TERN_RETURN_IF_ERROR(Read(name, value, &s.verbose_level));
    } else if (name == "log_format") {
      std::string format;
      TERN_RETURN_IF_ERROR(Read(name, value, &format));
      if (format == "default") {
        s.format = LogFormat::kDefault;
      } else if (format == "ISO8601") {
        s.format = LogFormat::kIso8601;
      } else {
        return InvalidArgument(
            "log setting 'log_format' must be \"default\" or \"ISO8601\", got \"" + format + "\"");
      }
    } else if (name == "log_file") {
      std::string file;
      TERN_RETURN_IF_ERROR(Read(name, value, &file));
      if (!file.empty()) {
        return InvalidArgument("log setting 'log_file' cannot be set (got \"" + file +
                               "\"): Tern logs to stderr only; redirect it where it should go");
      }
    } else {
      return InvalidArgument("unknown log setting '" + name + "' (settings: " + kNames + ")");
    }
  }
  SetLogSettings(s);
  TERN_LOG(Info) << "log settings: info " << s.info << ", warning " << s.warning << ", error "
                 << s.error << ", verbose level " << s.verbose_level << ", format "
                 << (s.format == LogFormat::kIso8601 ? "ISO8601" : "default");
  return Status::Ok();
}

}  // namespace tern
