#include "rapidesk/client/http_error.h"

#include <array>
#include <string>

#include <nlohmann/json.hpp>

namespace rapidesk::client {

namespace {

// A remote message is shown to people: keep it to a sane size.
constexpr std::size_t kMaxMessageBytes = 2000;

ErrorCode code_for_http_status(int status) {
  switch (status) {
    case 400: return ErrorCode::kInvalid;
    case 401: return ErrorCode::kUnauthorized;
    case 403: return ErrorCode::kForbidden;
    case 404: return ErrorCode::kNotFound;
    case 405: return ErrorCode::kInvalid;  // "method_not_allowed": our bug, not the user's
    case 409: return ErrorCode::kConflict;
    case 413: return ErrorCode::kTooLarge;
    case 426: return ErrorCode::kUpgradeRequired;
    case 429: return ErrorCode::kRateLimited;
    case 502:
    case 503:
    case 504: return ErrorCode::kUnavailable;  // a proxy in front of a server that is down
    default: return status >= 500 || status < 400 ? ErrorCode::kInternal : ErrorCode::kInvalid;
  }
}

std::string clipped(std::string s) {
  if (s.size() <= kMaxMessageBytes) return s;
  std::size_t cut = kMaxMessageBytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  s.resize(cut);
  return s + "…";
}

std::string string_member(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

std::optional<ErrorCode> error_code_from_name(std::string_view name) {
  static constexpr std::array kCodes = {
      ErrorCode::kInvalid,         ErrorCode::kNotFound,    ErrorCode::kConflict, ErrorCode::kForbidden,
      ErrorCode::kUnauthorized,    ErrorCode::kTooLarge,    ErrorCode::kUpgradeRequired,
      ErrorCode::kRateLimited,     ErrorCode::kIo,          ErrorCode::kCorrupt,  ErrorCode::kInternal,
      ErrorCode::kUnavailable,
  };
  for (ErrorCode code : kCodes) {
    if (error_code_name(code) == name) return code;
  }
  return std::nullopt;
}

Status status_from_http_error(int http_status, std::string_view body) {
  if (http_status < 400) http_status = 500;
  ErrorCode code = code_for_http_status(http_status);
  Text message = format_text(Text{"the server answered HTTP {}", "服务器返回 HTTP {}"},
                             {same_text(std::to_string(http_status))});
  std::string field;

  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    auto error = doc.find("error");
    if (error != doc.end() && error->is_object()) {
      if (auto named = error_code_from_name(string_member(*error, "code"))) code = *named;
      std::string en = clipped(string_member(*error, "message"));
      std::string zh = clipped(string_member(*error, "message_zh"));
      if (!en.empty()) message = Text{en, zh.empty() ? en : zh};
      field = string_member(*error, "field");
    }
  }
  // These statuses have one meaning for the client whatever the body claims.
  if (http_status == 401) code = ErrorCode::kUnauthorized;
  if (http_status == 426) code = ErrorCode::kUpgradeRequired;
  if (http_status == 429) code = ErrorCode::kRateLimited;
  if (code == ErrorCode::kOk) code = code_for_http_status(http_status);
  return Status(code, std::move(message), std::move(field));
}

}  // namespace rapidesk::client
