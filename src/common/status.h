// Status and StatusOr<T>: how every module boundary in Tern reports failure.
// Codes are gRPC's canonical codes; the transports translate them in one place each
// (src/server/http/http_status.cc, src/server/grpc/grpc_status.cc). Value types;
// thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tern {

enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status FailedPrecondition(std::string message);
Status Internal(std::string message);
Status Unimplemented(std::string message);
Status Unavailable(std::string message);
Status DataLoss(std::string message);
Status DeadlineExceeded(std::string message);
Status ResourceExhausted(std::string message);
Status OutOfRange(std::string message);

// Ends the process with the status message on stderr. Reading the value of a StatusOr that
// holds an error is a programming error, as in Abseil: it terminates instead of being undefined.
[[noreturn]] void DieOnValueOfErrorStatus(const Status& status);

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // An OK status carries no value, so it becomes an INTERNAL error (Abseil does the same).
  StatusOr(Status status)  // NOLINT: implicit, so `return SomeError(...)` reads naturally
      : status_(status.ok() ? Internal("StatusOr built from an OK status without a value")
                            : std::move(status)) {}
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & { return *CheckedValue(); }
  const T& value() const& { return *CheckedValue(); }
  T&& value() && { return std::move(*CheckedValue()); }
  T& operator*() & { return *CheckedValue(); }
  const T& operator*() const& { return *CheckedValue(); }
  T* operator->() { return &*CheckedValue(); }
  const T* operator->() const { return &*CheckedValue(); }

 private:
  std::optional<T>& CheckedValue() {
    if (!value_.has_value()) DieOnValueOfErrorStatus(status_);
    return value_;
  }
  const std::optional<T>& CheckedValue() const {
    if (!value_.has_value()) DieOnValueOfErrorStatus(status_);
    return value_;
  }

  Status status_;
  std::optional<T> value_;
};

}  // namespace tern

#define TERN_CONCAT_INNER(a, b) a##b
#define TERN_CONCAT(a, b) TERN_CONCAT_INNER(a, b)

#define TERN_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::tern::Status tern_status_ = (expr);        \
    if (!tern_status_.ok()) return tern_status_; \
  } while (0)

#define TERN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

// TERN_ASSIGN_OR_RETURN(auto x, FunctionReturningStatusOr());
#define TERN_ASSIGN_OR_RETURN(lhs, expr) \
  TERN_ASSIGN_OR_RETURN_IMPL(TERN_CONCAT(tern_statusor_, __LINE__), lhs, expr)
