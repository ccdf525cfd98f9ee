#include "rapidesk/client/server_api.h"

#include <algorithm>

#include "rapidesk/sync/codec.h"

namespace rapidesk::client {

namespace {

Status unreadable(std::string_view what, const Text& why) {
  return Status(ErrorCode::kCorrupt, format_text(Text{"the server's answer to {} could not be read: {}",
                                                      "无法读取服务器对 {} 的应答：{}"},
                                                 {same_text(what), why}));
}

Result<nlohmann::json> parse_object(std::string_view what, const std::string& body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return unreadable(what, Text{"not a JSON object", "不是 JSON 对象"});
  return doc;
}

// A required string member; sets `missing` to the member's name when it is absent.
std::string string_member(const nlohmann::json& object, const char* name, const char*& missing) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    if (missing == nullptr) missing = name;
    return {};
  }
  return it->get<std::string>();
}

Status missing_member(std::string_view what, const char* name) {
  return unreadable(what, format_text(Text{"\"{}\" is missing or not a string", "“{}”缺失或不是字符串"},
                                      {same_text(name)}));
}

Result<UserProfile> read_profile(std::string_view what, const nlohmann::json& object) {
  const char* missing = nullptr;
  UserProfile user;
  user.name = string_member(object, "name", missing);
  user.display_name = string_member(object, "display_name", missing);
  user.role = string_member(object, "role", missing);
  user.team = string_member(object, "team", missing);
  if (missing != nullptr) return missing_member(what, missing);
  if (auto skills = object.find("skills"); skills != object.end() && skills->is_array()) {
    for (const auto& skill : *skills) {
      if (skill.is_string()) user.skills.push_back(skill.get<std::string>());
    }
  }
  return user;
}

Result<Instant> read_instant(std::string_view what, const nlohmann::json& object, const char* name) {
  const char* missing = nullptr;
  const std::string text = string_member(object, name, missing);
  if (missing != nullptr) return missing_member(what, missing);
  auto instant = parse_iso8601(text);
  if (!instant) return unreadable(what, instant.status().message());
  return *instant;
}

}  // namespace

ServerApi::ServerApi(ServerAddress address, HttpOptions options) : http_(std::move(address), std::move(options)) {}

ProfileIdentity identity_after_login(ProfileIdentity who, const LoginResult& login) {
  who.user = login.user.name;
  who.display_name = login.user.display_name;
  who.role = login.user.role;
  who.team = login.user.team;
  who.token = login.token;
  who.token_expires_at = format_iso8601(login.expires_at);
  return who;
}

Result<LoginResult> ServerApi::login(std::string_view user, std::string_view password, std::string_view device) {
  constexpr std::string_view kWhat = "sign-in";
  const std::string body = nlohmann::json{{"username", user}, {"password", password}, {"device", device}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  // A token from an earlier session stays in use until this sign-in succeeds.
  auto response = http_.post("/api/v1/auth/login", body);
  if (!response) return response.status();
  auto doc = parse_object(kWhat, response->body);
  if (!doc) return doc.status();
  LoginResult result;
  const char* missing = nullptr;
  result.token = string_member(*doc, "token", missing);
  if (missing != nullptr || result.token.empty()) return missing_member(kWhat, "token");
  auto user_it = doc->find("user");
  if (user_it == doc->end() || !user_it->is_object()) return missing_member(kWhat, "user");
  auto profile = read_profile(kWhat, *user_it);
  if (!profile) return profile.status();
  result.user = std::move(*profile);
  auto expires = read_instant(kWhat, *doc, "expires_at");
  if (!expires) return expires.status();
  result.expires_at = *expires;
  http_.set_token(result.token);
  return result;
}

Result<SessionInfo> ServerApi::me() {
  constexpr std::string_view kWhat = "GET /api/v1/me";
  auto response = http_.get("/api/v1/me");
  if (!response) return response.status();
  auto doc = parse_object(kWhat, response->body);
  if (!doc) return doc.status();
  SessionInfo info;
  auto profile = read_profile(kWhat, *doc);
  if (!profile) return profile.status();
  info.user = std::move(*profile);
  const char* missing = nullptr;
  info.device = string_member(*doc, "device", missing);
  if (missing != nullptr) return missing_member(kWhat, missing);
  auto expires = read_instant(kWhat, *doc, "expires_at");
  if (!expires) return expires.status();
  info.expires_at = *expires;
  return info;
}

Result<sync::PushResult> ServerApi::push(std::string_view device, std::span<const sync::FieldOp> ops) {
  auto response = http_.post("/api/v1/sync/push", sync::encode_push(device, ops));
  if (!response) return response.status();
  if (auto log = response->header(sync::kLogHeader)) log_seen_ = *log;
  sync::DecodedPushResult decoded = sync::decode_push_result(response->body);
  if (!decoded.ok()) return unreadable("push", decoded.status.message());
  return std::move(decoded.result);
}

namespace {
constexpr std::size_t kMaxPullPageEntries = 200'000;
}  // namespace

Result<PullPage> ServerApi::pull(std::uint64_t cursor, std::size_t limit) {
  if (limit < 1 || limit > 1000) {
    return Status::invalid(Text{"a pull page holds 1 to 1000 operations", "每页拉取 1 到 1000 条操作"}, "limit");
  }
  auto response = http_.get("/api/v1/sync/pull?cursor=" + std::to_string(cursor) + "&limit=" + std::to_string(limit));
  if (!response) return response.status();
  if (auto log = response->header(sync::kLogHeader)) log_seen_ = *log;
  // A page may hold more than `limit` entries: a request handed on to this reader brings its
  // earlier history, and its notes', along on one page (docs/server.md). Bounded by the
  // answer's size (HttpOptions::max_response_bytes) instead.
  sync::CodecLimits page_limits;
  page_limits.max_ops = kMaxPullPageEntries;
  page_limits.max_body_bytes = std::max(page_limits.max_body_bytes, http_.options().max_response_bytes);
  sync::DecodedPull decoded = sync::decode_pull(response->body, page_limits);
  if (!decoded.ok()) return unreadable("pull", decoded.status.message());
  if (!decoded.errors.empty()) {
    const sync::OpError& first = decoded.errors.front();
    return unreadable("pull", format_text(Text{"operation {} ({}): {}", "第 {} 条操作（{}）：{}"},
                                          {same_text(std::to_string(first.index)), same_text(first.op),
                                           first.status.message()}));
  }
  PullPage page;
  page.entries = std::move(decoded.entries);
  page.cursor = decoded.cursor;
  page.more = decoded.more;
  return page;
}

Result<nlohmann::json> ServerApi::get_json(std::string_view target) {
  auto response = http_.get(target);
  if (!response) return response.status();
  nlohmann::json doc = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return unreadable(target.substr(0, 200), Text{"not valid JSON", "不是有效的 JSON"});
  return doc;
}

Status ServerApi::logout() {
  auto response = http_.post("/api/v1/auth/logout", {});
  http_.set_token({});
  if (!response && response.status().code() != ErrorCode::kUnauthorized) return response.status();
  return Status::ok();
}

}  // namespace rapidesk::client
