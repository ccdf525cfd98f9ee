// The core endpoints: liveness, metrics, sign-in and the WebSocket stream's plain-HTTP face.
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "rapidesk/server/handlers.h"
#include "rapidesk/server/json_body.h"
#include "rapidesk/server/protocol.h"
#include "rapidesk/server/server_state.h"
#include "rapidesk/server/tokens.h"

namespace rapidesk::server {

namespace {

constexpr size_t kMaxUserNameBytes = 64;
constexpr size_t kMaxDeviceBytes = 128;

bool is_valid_device_id(std::string_view id) {
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return !id.empty();
}

nlohmann::json user_json(const UserRecord& user) {
  return {{"name", user.name}, {"display_name", user.display_name}, {"role", to_wire(user.role)}, {"team", user.team}};
}

HttpResponse bad(const Status& s) { return error_response(s); }

}  // namespace

HttpResponse handle_healthz(const HttpRequest&, ServerState& state) {
  // A server whose commit failed refuses every change: load balancers should send clients
  // elsewhere. This route needs no sign-in, so the reason itself (a storage or exception
  // message) is only in the log, as for a 500 answer.
  if (!state.sync->health()) {
    return json_response(503, {{"status", "failing"},
                               {"message",
                                "This server stopped accepting changes after a failure; its log says why (event "
                                "changes_stopped). Restart it once the cause is fixed."},
                               {"message_zh", "此服务器因故障已停止接受更改，原因见其日志（changes_stopped 事件）。"
                                              "排除原因后请重启。"},
                               {"version", server_version()},
                               {"sla_leader", state.metrics.sla_leader()}});
  }
  return json_response(200, {{"status", "ok"},
                             {"version", server_version()},
                             {"schema", state.storage->schema_version()},
                             {"protocol", kProtocolVersion},
                             {"sla_leader", state.metrics.sla_leader()}});
}

HttpResponse handle_metrics(const HttpRequest&, ServerState& state) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = state.metrics.render_prometheus();
  return r;
}

HttpResponse handle_login(const HttpRequest& request, ServerState& state) {
  auto body = parse_json_body(request.body);
  if (!body) return bad(body.status());
  if (Status s = expect_object_with_fields(*body, {"username", "password", "device"}); !s) return bad(s);
  auto username = string_field(*body, "username", kMaxUserNameBytes, true);
  if (!username) return bad(username.status());
  auto password = string_field(*body, "password", kMaxPasswordBytes, true);
  if (!password) return bad(password.status());
  auto device = string_field(*body, "device", kMaxDeviceBytes, true);
  if (!device) return bad(device.status());
  const std::string& name = **username;
  if (!is_valid_device_id(**device)) {
    return bad(Status::invalid(Text{"field \"device\" may hold only letters, digits and - _ . :",
                                    "字段“device”只能包含字母、数字和 - _ . :"},
                               "device"));
  }

  const Instant now = state.clock();
  if (auto wait_ms = state.login_limiter.begin_attempt(name, request.remote_address, now)) {
    const auto seconds = (*wait_ms + 999) / 1000;
    HttpResponse r = error_response(
        429, "rate_limited",
        format_text(Text{"too many failed sign-in attempts; try again in {} seconds",
                         "登录失败次数过多，请在 {} 秒后重试"},
                    {same_text(std::to_string(seconds))}));
    r.headers.emplace_back("Retry-After", std::to_string(seconds));
    return r;
  }
  // The attempt counts against the limits until its outcome is recorded, however it ends.
  struct EndAttempt {
    LoginRateLimiter& limiter;
    std::string_view user, address;
    ~EndAttempt() { limiter.end_attempt(user, address); }
  } end_attempt{state.login_limiter, name, request.remote_address};

  auto user = state.storage->find_user(name);
  if (!user && user.status().code() != ErrorCode::kNotFound) return bad(user.status());
  // Unknown users are checked against a dummy hash, so the answer takes as long as for a
  // wrong password and does not reveal which names exist.
  const std::string& hash = user ? user->password_hash : state.dummy_password_hash;
  const PasswordCheck check = check_password_hash(hash, **password);
  if (check == PasswordCheck::kOutOfMemory) {
    // Nothing was learnt about the password: no failure is counted against the user.
    HttpResponse r = error_response(503, "unavailable",
                                    Text{"The server is too busy to check passwords right now; try again in a moment.",
                                         "服务器繁忙，暂时无法校验密码，请稍后重试。"});
    r.headers.emplace_back("Retry-After", "2");
    return r;
  }
  const bool password_ok = check == PasswordCheck::kMatch;
  if (!user || !password_ok) {
    state.login_limiter.record_failure(name, request.remote_address, now);
    return error_response(401, "unauthorized",
                          Text{"unknown user name or wrong password", "用户名不存在或密码错误"});
  }
  if (!user->active) {
    return error_response(403, "forbidden",
                          Text{"this account is disabled; ask an administrator", "此账户已停用，请联系管理员"});
  }
  state.login_limiter.record_success(name);

  if (password_needs_rehash(user->password_hash, state.password_params)) {
    if (auto rehashed = hash_password(**password, state.password_params)) {
      if (Status s = state.storage->set_password_hash(name, *rehashed); !s) {
        state.log.event("warn", "rehash_failed", {{"user", name}, {"error", s.message().en}});
      }
    }
  }
  if (Status s = state.storage->touch_device(**device, name, now); !s) return bad(s);

  const std::string token = make_token();
  TokenRecord record;
  record.hash = hash_token(token);
  record.user = name;
  record.device = **device;
  record.created_at = now;
  record.expires_at = now + static_cast<Instant>(state.config.token_ttl_days) * kMsPerDay;
  if (Status s = state.storage->add_token(record); !s) return bad(s);

  HttpResponse r = json_response(
      200, {{"token", token}, {"user", user_json(*user)}, {"expires_at", format_iso8601(record.expires_at)}});
  r.headers.emplace_back("Cache-Control", "no-store");
  r.user = name;
  return r;
}

HttpResponse handle_logout(const HttpRequest& request, ServerState& state) {
  auto auth = authenticate(request, state);
  if (!auth) return bad(auth.status());
  if (Status s = state.storage->revoke_token(auth->token_hash); !s) return bad(s);
  HttpResponse r = json_response(200, {{"signed_out", true}});
  r.user = auth->user;
  return r;
}

HttpResponse handle_me(const HttpRequest& request, ServerState& state) {
  auto auth = authenticate(request, state);
  if (!auth) return bad(auth.status());
  auto user = state.storage->find_user(auth->user);
  if (!user) return bad(user.status());
  nlohmann::json body = user_json(*user);
  body["skills"] = user->skills;
  body["device"] = auth->device;
  body["expires_at"] = format_iso8601(auth->expires_at);
  HttpResponse r = json_response(200, body);
  r.user = auth->user;
  return r;
}

namespace {

HttpResponse stream_needs_upgrade(const HttpRequest&, ServerState&) {
  HttpResponse r = error_response(426, "upgrade_required",
                                  Text{"GET /api/v1/stream is a WebSocket endpoint: connect with a WebSocket client",
                                       "GET /api/v1/stream 是 WebSocket 接口：请使用 WebSocket 客户端连接"});
  r.headers.emplace_back("Upgrade", "websocket");
  return r;
}

// Test hooks (--test-hooks only): announce a cursor as a commit would; hold a worker busy
// to test graceful shutdown.
Result<std::int64_t> int_param(const HttpRequest& request, std::string_view name, std::int64_t min, std::int64_t max) {
  auto text = request.query_param(name);
  std::int64_t value = 0;
  bool ok = text && !text->empty();
  for (char c : text.value_or("")) {
    ok = ok && c >= '0' && c <= '9' && value < max;
    value = value * 10 + (c - '0');
  }
  if (!ok || value < min || value > max) {
    return Status::invalid(format_text(Text{"query parameter \"{}\" must be a whole number from {} to {}",
                                            "查询参数“{}”必须是 {} 到 {} 之间的整数"},
                                       {same_text(name), same_text(std::to_string(min)), same_text(std::to_string(max))}),
                           std::string(name));
  }
  return value;
}

HttpResponse test_announce(const HttpRequest& request, ServerState& state) {
  auto cursor = int_param(request, "cursor", 0, INT64_MAX / 10);
  if (!cursor) return bad(cursor.status());
  state.announcer.announce(*cursor);
  return json_response(200, {{"announced", *cursor}, {"listeners", state.announcer.listener_count()}});
}

HttpResponse test_sleep(const HttpRequest& request, ServerState&) {
  auto ms = int_param(request, "ms", 0, 10'000);
  if (!ms) return bad(ms.status());
  std::this_thread::sleep_for(std::chrono::milliseconds(*ms));
  return json_response(200, {{"slept_ms", *ms}});
}

}  // namespace

void add_core_routes(Router& router, const ServerConfig& config) {
  router.add("GET", "/healthz", handle_healthz);
  router.add("GET", "/metrics", handle_metrics);
  router.add("POST", "/api/v1/auth/login", handle_login);
  router.add("POST", "/api/v1/auth/logout", handle_logout);
  router.add("GET", "/api/v1/me", handle_me);
  router.add("GET", std::string(kStreamPath), stream_needs_upgrade);
  if (config.test_hooks) {
    router.add("POST", "/_test/announce", test_announce);
    router.add("GET", "/_test/sleep", test_sleep);
  }
}

}  // namespace rapidesk::server
