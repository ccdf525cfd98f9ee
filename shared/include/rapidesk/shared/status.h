// Errors are values at module boundaries: a Status or Result<T> with a named kind.
// Exceptions never cross a Rapidesk library boundary.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "rapidesk/shared/text.h"

namespace rapidesk {

enum class ErrorCode {
  kOk,
  kInvalid,       // the input breaks a rule; the message says which
  kNotFound,
  kConflict,      // valid alone, but clashes with current state
  kForbidden,     // authenticated, not allowed
  kUnauthorized,  // not (or no longer) authenticated
  kTooLarge,
  kUpgradeRequired,
  kRateLimited,
  kIo,
  kCorrupt,
  kInternal,
  kUnavailable,   // a peer (the server) cannot be reached now; retrying later may work
};

// Stable snake_case code used on the wire and in logs ("invalid", "not_found", ...).
std::string_view error_code_name(ErrorCode code);

// An ok Status is one word and allocates nothing; an error keeps its message and field on
// the heap. Hot paths return a Status per operation (the merge returns one per field op,
// and a server keeps one per op it answers), and three inline strings made each of those
// about 100 bytes to construct, move and destroy.
class Status {
 public:
  Status() = default;  // ok
  Status(ErrorCode code, Text message, std::string field = {})
      : code_(code), detail_(std::make_unique<Detail>(Detail{std::move(message), std::move(field)})) {}
  Status(const Status& other)
      : code_(other.code_), detail_(other.detail_ ? std::make_unique<Detail>(*other.detail_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) *this = Status(other);
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status ok() { return {}; }
  static Status invalid(Text m, std::string field = {}) { return {ErrorCode::kInvalid, std::move(m), std::move(field)}; }
  static Status not_found(Text m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Status conflict(Text m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Status forbidden(Text m) { return {ErrorCode::kForbidden, std::move(m)}; }
  static Status io(Text m) { return {ErrorCode::kIo, std::move(m)}; }
  static Status corrupt(Text m) { return {ErrorCode::kCorrupt, std::move(m)}; }

  bool is_ok() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const Text& message() const { return (detail_ ? *detail_ : none()).message; }
  // The field the error is about, when there is one (wire name), else empty.
  const std::string& field() const { return (detail_ ? *detail_ : none()).field; }

 private:
  struct Detail {
    Text message;
    std::string field;
  };
  static const Detail& none() {
    static const Detail empty;
    return empty;
  }

  ErrorCode code_ = ErrorCode::kOk;
  std::unique_ptr<Detail> detail_;  // null for ok (and after a move)
};

// A value or the Status saying why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) { assert(!status_.is_ok()); }  // NOLINT

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }
  // REQUIRES: is_ok()
  T& value() & { assert(value_); return *value_; }
  const T& value() const& { assert(value_); return *value_; }
  T&& value() && { assert(value_); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace rapidesk
