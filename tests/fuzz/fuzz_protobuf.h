// For targets whose inputs reach protobuf parsing: protobuf logs every string field holding
// invalid UTF-8, which fuzzed bytes nearly always do; the log lines only slow the fuzzer down
// (to a few hundred executions a second) and bury its own output.
#pragma once

#include <google/protobuf/stubs/logging.h>

namespace tern::fuzz {

inline void SilenceProtobufLogs() {
  static const bool done = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)done;
}

}  // namespace tern::fuzz
