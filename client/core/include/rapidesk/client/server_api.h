// Typed calls to rapidesk-server (docs/server.md) on one HttpClient. Never throws: every
// failure is a Result error — the HttpClient's (network: kUnavailable; the server's error
// bodies) or kCorrupt when a 2xx answer cannot be read.
//
// Thread-safe as HttpClient is: calls are serialised.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rapidesk/client/http_client.h"
#include "rapidesk/client/local_replica.h"
#include "rapidesk/shared/time.h"
#include "rapidesk/sync/protocol.h"

namespace rapidesk::client {

// The signed-in person as the server describes them.
struct UserProfile {
  std::string name;
  std::string display_name;
  std::string role;  // field | agent | coordinator | admin
  std::string team;
  std::vector<std::string> skills;  // filled by me(); login does not send them
};

struct LoginResult {
  std::string token;
  UserProfile user;
  Instant expires_at = 0;
};

// A profile's identity after a good login: `before` (device, server) with the signed-in
// person and token filled in. Store it with LocalReplica::set_sign_in.
ProfileIdentity identity_after_login(ProfileIdentity before, const LoginResult& login);

struct SessionInfo {  // me()
  UserProfile user;
  std::string device;
  Instant expires_at = 0;
};

struct PullPage {
  std::vector<sync::LogEntry> entries;
  std::uint64_t cursor = 0;  // resume from here
  bool more = false;         // another page is ready now
};

class ServerApi {
 public:
  explicit ServerApi(ServerAddress address, HttpOptions options = {});

  // POST /api/v1/auth/login. On success the token is used by every later call.
  // Wrong password: kUnauthorized; disabled: kForbidden; too many attempts: kRateLimited
  // (http().last_failure().retry_after says how long to wait).
  Result<LoginResult> login(std::string_view user, std::string_view password, std::string_view device);
  // Uses a token saved from an earlier login.
  void set_token(std::string token) { http_.set_token(std::move(token)); }
  bool signed_in() const { return !http_.token().empty(); }

  // GET /api/v1/me: who the token belongs to (kUnauthorized once it expired or was revoked).
  Result<SessionInfo> me();

  // POST /api/v1/sync/push (encode_push / decode_push_result). Safe to repeat.
  Result<sync::PushResult> push(std::string_view device, std::span<const sync::FieldOp> ops);

  // GET /api/v1/sync/pull?cursor=&limit= (decode_pull). A page the codec finds any fault
  // in is refused whole (kCorrupt): a replica must never apply part of a bad page.
  // REQUIRES: 1 <= limit <= 1000 (kInvalid otherwise).
  Result<PullPage> pull(std::uint64_t cursor, std::size_t limit = 500);

  // GET of any JSON resource (read API, reports), e.g. "/api/v1/requests?status=new".
  Result<nlohmann::json> get_json(std::string_view target);

  // POST /api/v1/auth/logout, then forgets the token whatever the answer. A token the
  // server already refuses (401) counts as signed out; a network failure is returned so the
  // caller knows the token may still be valid on the server.
  Status logout();

  HttpClient& http() { return http_; }

  // The server log this copy holds (the server's log id, remembered from its first sync),
  // sent with every later call: a server with another log refuses push and pull (409
  // other_server), so a copy of one server's data never mixes with another's. "" for a copy
  // that holds none yet. log_seen(): the log named by the last push or pull answer.
  void set_log(std::string log_id) { http_.set_header(std::string(sync::kLogHeader), std::move(log_id)); }
  const std::string& log_seen() const { return log_seen_; }

 private:
  HttpClient http_;
  std::string log_seen_;
};

}  // namespace rapidesk::client
