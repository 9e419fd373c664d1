// TF Serving's text-format config files (ModelServerConfig, BatchingParameters,
// MonitoringConfig, SSLConfig) are all read here: one parser set-up and one error form. Each
// caller words its own message around the parser's complaint (which flag, which message type).
// Stateless; thread-safe.
#pragma once

#include <string>

#include "common/status.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace tern {

// Parses text-format `text` into `message`. On failure INVALID_ARGUMENT whose message is the
// parser's first complaint: "line L, column C: what".
Status ParseProtoText(const std::string& text, google::protobuf::Message* message);

// The whole file at `path`; NOT_FOUND naming the path when it cannot be opened.
StatusOr<std::string> ReadTextFile(const std::string& path);

}  // namespace tern
