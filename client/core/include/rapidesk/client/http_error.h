// How an HTTP error answer from rapidesk-server becomes a Status the client shows.
#pragma once

#include <optional>
#include <string_view>

#include "rapidesk/shared/status.h"

namespace rapidesk::client {

// The server's error body {"error":{"code","message","message_zh","field"?}} as a Status:
// the code name gives the ErrorCode (unknown names fall back to one chosen by the HTTP
// status), the message is kept in both languages (English for both when message_zh is
// missing), the field is kept. Some statuses fix the code whatever the body says: 401 →
// kUnauthorized, 426 → kUpgradeRequired, 429 → kRateLimited. A body that is not such JSON
// (a proxy's HTML page, say) gives a plain message naming the HTTP status.
// REQUIRES: http_status >= 400 (anything lower is treated as 500).
Status status_from_http_error(int http_status, std::string_view body);

// ErrorCode for a wire code name ("not_found" → kNotFound); nullopt for names we do not know.
std::optional<ErrorCode> error_code_from_name(std::string_view name);

}  // namespace rapidesk::client
