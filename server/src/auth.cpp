#include "rapidesk/server/auth.h"

#include "rapidesk/server/server_state.h"
#include "rapidesk/server/tokens.h"

namespace rapidesk::server {

namespace {

Status unauthorized(Text message) { return Status(ErrorCode::kUnauthorized, std::move(message)); }

// The token from "Authorization: Bearer TOKEN" (scheme case-insensitive), or from ?token=
// when allowed. An empty view means none was sent.
Result<std::string_view> token_of(const HttpRequest& request, TokenSource source) {
  if (auto header = request.header("authorization")) {
    std::string_view v = *header;
    constexpr std::string_view kScheme = "bearer ";
    bool is_bearer = v.size() > kScheme.size();
    for (size_t i = 0; is_bearer && i < kScheme.size(); ++i) {
      is_bearer = (v[i] | 0x20) == kScheme[i];
    }
    if (!is_bearer) {
      return unauthorized(Text{"the Authorization header must be \"Bearer TOKEN\"",
                               "Authorization 请求头必须为“Bearer 令牌”"});
    }
    v.remove_prefix(kScheme.size());
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v;
  }
  if (source == TokenSource::kHeaderOrQuery) {
    if (auto q = request.query_param("token")) return *q;
  }
  return std::string_view{};
}

Status invalid_token() { return unauthorized(Text{"the token is not valid; sign in again", "令牌无效，请重新登录"}); }

// The sign-in a token (by its hash) stands for, if it still holds.
Result<AuthContext> authenticate_hash(const std::string& hash, ServerState& state) {
  const Status invalid = invalid_token();
  auto record = state.storage->find_token(hash);
  if (!record) return record.status().code() == ErrorCode::kNotFound ? invalid : record.status();
  if (record->revoked) {
    return unauthorized(Text{"this token was revoked (signed out, or the account was disabled); sign in again",
                             "此令牌已被吊销（已退出登录或账户已停用），请重新登录"});
  }
  if (record->expires_at <= state.clock()) {
    return unauthorized(Text{"the session has expired; sign in again", "会话已过期，请重新登录"});
  }
  auto user = state.storage->find_user(record->user);
  if (!user) return user.status().code() == ErrorCode::kNotFound ? invalid : user.status();
  if (!user->active) {
    return unauthorized(Text{"this account is disabled; ask an administrator", "此账户已停用，请联系管理员"});
  }
  return AuthContext{user->name, user->role, user->team, record->device, record->hash, record->expires_at};
}

}  // namespace

bool is_valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

Result<AuthContext> authenticate(const HttpRequest& request, ServerState& state, TokenSource source) {
  auto token = token_of(request, source);
  if (!token) return token.status();
  if (token->empty()) {
    return unauthorized(Text{"sign in first: this endpoint needs an \"Authorization: Bearer TOKEN\" header "
                             "(POST /api/v1/auth/login gives a token)",
                             "请先登录：此接口需要“Authorization: Bearer 令牌”请求头（POST /api/v1/auth/login 可获取令牌）"});
  }
  if (!looks_like_token(*token)) return invalid_token();
  return authenticate_hash(hash_token(*token), state);
}

Status still_signed_in(const AuthContext& who, ServerState& state) {
  return authenticate_hash(who.token_hash, state).status();
}

}  // namespace rapidesk::server
