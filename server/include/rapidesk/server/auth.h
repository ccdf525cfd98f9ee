// Who is calling: every protected endpoint starts with authenticate().
#pragma once

#include <string>

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/status.h"
#include "rapidesk/shared/time.h"
#include "rapidesk/server/http_types.h"

namespace rapidesk::server {

struct ServerState;

struct AuthContext {
  std::string user;
  Role role = Role::kField;
  std::string team;
  std::string device;
  std::string token_hash;  // identifies the session (logout revokes it)
  Instant expires_at = 0;
};

enum class TokenSource {
  kHeader,         // Authorization: Bearer TOKEN only
  kHeaderOrQuery,  // also ?token=TOKEN (WebSocket clients in browsers cannot set headers)
};

// kUnauthorized (401) with a message saying what to do for a missing, malformed, unknown
// (forged), expired or revoked token, or a disabled user; kIo if storage fails.
Result<AuthContext> authenticate(const HttpRequest& request, ServerState& state,
                                 TokenSource source = TokenSource::kHeader);

// Whether the sign-in `who` was admitted with still holds: its token neither revoked nor
// expired, its user still enabled. kUnauthorized as authenticate says it; kIo if storage fails.
Status still_signed_in(const AuthContext& who, ServerState& state);

// Login name rule: 1..64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit.
bool is_valid_user_name(std::string_view name);

}  // namespace rapidesk::server
