// Sign-in, tokens and authentication, through the handlers as a client would see them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "rapidesk/server/auth.h"
#include "rapidesk/server/tokens.h"
#include "test_support.h"

namespace rapidesk::server {
namespace {

using testing::body_of;
using testing::error_code_of;
using testing::Fixture;

TEST(Login, ReturnsTokenUserAndExpiry) {
  Fixture f;
  f.add_user("alice", "correct horse");
  HttpResponse r = f.login("alice", "correct horse");
  ASSERT_EQ(r.status, 200) << r.body;
  auto b = body_of(r);
  EXPECT_TRUE(looks_like_token(b["token"].get<std::string>()));
  EXPECT_EQ(b["user"]["name"], "alice");
  EXPECT_EQ(b["user"]["display_name"], "alice display");
  EXPECT_EQ(b["user"]["role"], "agent");
  EXPECT_EQ(b["user"]["team"], "NORTH");
  // Default lifetime: 30 days from now.
  EXPECT_EQ(b["expires_at"], format_iso8601(testing::kStart + 30 * kMsPerDay));
  EXPECT_EQ(r.user, "alice");
  // The device was recorded.
  auto devices = f.state->storage->list_devices("alice");
  ASSERT_TRUE(devices.is_ok());
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_EQ((*devices)[0].id, "dev-alice");
}

TEST(Login, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  Fixture f;
  f.add_user("alice", "correct horse");
  HttpResponse wrong = f.login("alice", "wrong");
  HttpResponse unknown = f.login("mallory", "whatever");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);  // no hint which names exist
  EXPECT_EQ(error_code_of(wrong), "unauthorized");
  EXPECT_FALSE(body_of(wrong)["error"]["message_zh"].get<std::string>().empty());
}

// In a child process: caps the address space just above what is in use, so the password
// check cannot map Argon2id's memory, and signs in six times with the right password.
// 0 when every answer is 503 `unavailable` with Retry-After and none counted as a failure
// (the limit is five: a sign-in with memory back then succeeds).
int sign_in_with_memory_capped(Fixture& f) {
  rlimit before{};
  if (!testing::cap_address_space(8u << 20, before)) return 2;
  for (int i = 0; i < 6; ++i) {
    const HttpResponse r = f.login("alice", "correct horse");
    const bool retry_after = std::any_of(r.headers.begin(), r.headers.end(),
                                         [](const auto& h) { return h.first == "Retry-After"; });
    if (r.status != 503 || error_code_of(r) != "unavailable" || !retry_after) return 3;
  }
  if (setrlimit(RLIMIT_AS, &before) != 0) return 2;
  return f.login("alice", "correct horse").status == 200 ? 0 : 4;
}

TEST(Login, APasswordCheckThatRunsOutOfMemoryIsNotAFailedSignIn) {
  Fixture f;
  f.add_user("alice", "correct horse");
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // re-run in a fresh process, not only forked
  EXPECT_EXIT(std::_Exit(sign_in_with_memory_capped(f)), ::testing::ExitedWithCode(0), "");
}

TEST(Login, UnknownUserStillRunsAPasswordVerify) {
  Fixture f;
  // The dummy hash is a real Argon2id hash, so verifying against it costs the same.
  EXPECT_TRUE(f.state->dummy_password_hash.starts_with("$argon2id$"));
}

TEST(Login, RateLimitedPerUserWithRetryAfter) {
  Fixture f;
  f.add_user("alice", "correct horse");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(f.login("alice", "wrong").status, 401);
  // The sixth attempt is refused even with the right password.
  HttpResponse r = f.login("alice", "correct horse");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(error_code_of(r), "rate_limited");
  bool has_retry_after = false;
  for (const auto& [name, value] : r.headers) {
    if (name == "Retry-After") {
      has_retry_after = true;
      EXPECT_EQ(value, "60");
    }
  }
  EXPECT_TRUE(has_retry_after);
  // Another user from another address is not affected.
  f.add_user("bob", "bob password");
  EXPECT_EQ(f.login("bob", "bob password", "10.9.9.9").status, 200);
  // After the window, alice may try again.
  f.now += 61'000;
  EXPECT_EQ(f.login("alice", "correct horse").status, 200);
}

TEST(Login, RateLimitedPerAddress) {
  Fixture f;
  f.add_user("alice", "correct horse");
  for (int i = 0; i < 20; ++i) EXPECT_EQ(f.login("user" + std::to_string(i), "x", "192.0.2.7").status, 401);
  EXPECT_EQ(f.login("alice", "correct horse", "192.0.2.7").status, 429);
  EXPECT_EQ(f.login("alice", "correct horse", "192.0.2.8").status, 200);
}

TEST(Login, DisabledUserIsForbidden) {
  Fixture f;
  f.add_user("alice", "correct horse");
  ASSERT_TRUE(f.state->storage->set_user_active("alice", false));
  HttpResponse r = f.login("alice", "correct horse");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code_of(r), "forbidden");
}

TEST(Login, WeakHashIsUpgradedOnSignIn) {
  Fixture f;
  f.add_user("alice", "correct horse");
  auto weak = hash_password("correct horse", PasswordParams{1, 8u << 20});
  ASSERT_TRUE(weak.is_ok());
  ASSERT_TRUE(f.state->storage->set_password_hash("alice", *weak));
  EXPECT_EQ(f.login("alice", "correct horse").status, 200);
  auto user = f.state->storage->find_user("alice");
  ASSERT_TRUE(user.is_ok());
  EXPECT_FALSE(password_needs_rehash(user->password_hash));
  EXPECT_TRUE(verify_password(user->password_hash, "correct horse"));
}

TEST(Auth, MeNeedsAValidToken) {
  Fixture f;
  f.add_user("alice", "correct horse");
  const std::string token = f.token_for("alice", "correct horse");
  ASSERT_FALSE(token.empty());
  HttpResponse ok = f.get_with_token("/api/v1/me", token);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(body_of(ok)["name"], "alice");
  EXPECT_EQ(body_of(ok)["device"], "dev-alice");

  HttpResponse missing = f.request("GET", "/api/v1/me");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(error_code_of(missing), "unauthorized");
  bool challenge = false;
  for (const auto& h : missing.headers) challenge = challenge || h.first == "WWW-Authenticate";
  EXPECT_TRUE(challenge);

  // Forged: right shape, never issued.
  HttpResponse forged = f.get_with_token("/api/v1/me", make_token());
  EXPECT_EQ(forged.status, 401);
  HttpResponse garbage = f.get_with_token("/api/v1/me", "not a token");
  EXPECT_EQ(garbage.status, 401);
  HttpResponse basic = f.request("GET", "/api/v1/me", {}, {{"authorization", "Basic YWxpY2U6eA=="}});
  EXPECT_EQ(basic.status, 401);
}

TEST(Auth, ExpiredTokenIsRefused) {
  ServerConfig config;
  config.token_ttl_days = 1;
  Fixture f(config);
  f.add_user("alice", "correct horse");
  const std::string token = f.token_for("alice", "correct horse");
  f.now += kMsPerDay - 1;
  EXPECT_EQ(f.get_with_token("/api/v1/me", token).status, 200);
  f.now += 1;
  HttpResponse r = f.get_with_token("/api/v1/me", token);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(body_of(r)["error"]["message"].get<std::string>().find("expired"), std::string::npos);
}

TEST(Auth, LogoutRevokesOnlyThatToken) {
  Fixture f;
  f.add_user("alice", "correct horse");
  const std::string first = f.token_for("alice", "correct horse");
  const std::string second = f.token_for("alice", "correct horse");
  HttpResponse out = f.request("POST", "/api/v1/auth/logout", {}, {{"authorization", "Bearer " + first}});
  EXPECT_EQ(out.status, 200);
  HttpResponse r = f.get_with_token("/api/v1/me", first);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(body_of(r)["error"]["message"].get<std::string>().find("revoked"), std::string::npos);
  EXPECT_EQ(f.get_with_token("/api/v1/me", second).status, 200);
}

TEST(Auth, DisablingAUserRevokesAllTheirTokens) {
  Fixture f;
  f.add_user("alice", "correct horse");
  const std::string token = f.token_for("alice", "correct horse");
  ASSERT_TRUE(f.state->storage->set_user_active("alice", false));
  EXPECT_EQ(f.get_with_token("/api/v1/me", token).status, 401);
  // Enabling again does not bring old sessions back.
  ASSERT_TRUE(f.state->storage->set_user_active("alice", true));
  EXPECT_EQ(f.get_with_token("/api/v1/me", token).status, 401);
  EXPECT_EQ(f.login("alice", "correct horse").status, 200);
}

TEST(Auth, StreamAcceptsQueryTokenButOtherEndpointsDoNot) {
  Fixture f;
  f.add_user("alice", "correct horse");
  const std::string token = f.token_for("alice", "correct horse");
  EXPECT_EQ(f.request("GET", "/api/v1/me?token=" + token).status, 401);

  HttpRequest upgrade;
  upgrade.method = "GET";
  upgrade.target = "/api/v1/stream?token=" + token;
  StreamAdmission ok = admit_stream(upgrade, *f.state);
  EXPECT_TRUE(ok.accepted);
  EXPECT_EQ(ok.auth.user, "alice");

  upgrade.target = "/api/v1/stream";
  StreamAdmission refused = admit_stream(upgrade, *f.state);
  EXPECT_FALSE(refused.accepted);
  EXPECT_EQ(refused.refusal.status, 401);

  upgrade.target = "/api/v1/elsewhere?token=" + token;
  EXPECT_EQ(admit_stream(upgrade, *f.state).refusal.status, 404);
}

TEST(Auth, AUserHoldsAtMostMaxStreamsPerUser) {
  Fixture f;  // the default limit: 8
  f.add_user("alice", "correct horse");
  f.add_user("bob", "battery staple");
  HttpRequest upgrade;
  upgrade.method = "GET";
  upgrade.target = "/api/v1/stream?token=" + f.token_for("alice", "correct horse");
  std::vector<StreamAdmission> open;
  for (int i = 0; i < 8; ++i) {
    open.push_back(admit_stream(upgrade, *f.state));
    ASSERT_TRUE(open.back().accepted) << i;
  }
  StreamAdmission ninth = admit_stream(upgrade, *f.state);
  EXPECT_FALSE(ninth.accepted);
  EXPECT_EQ(ninth.refusal.status, 429);
  EXPECT_NE(ninth.refusal.body.find("too_many_streams"), std::string::npos) << ninth.refusal.body;
  EXPECT_NE(ninth.refusal.body.find("8"), std::string::npos);
  HttpRequest bobs = upgrade;
  bobs.target = "/api/v1/stream?token=" + f.token_for("bob", "battery staple");
  EXPECT_TRUE(admit_stream(bobs, *f.state).accepted) << "another user is not affected";
  open.pop_back();  // a stream ends: its place is free again
  EXPECT_TRUE(admit_stream(upgrade, *f.state).accepted);
}

TEST(Auth, UserNameRule) {
  EXPECT_TRUE(is_valid_user_name("alice"));
  EXPECT_TRUE(is_valid_user_name("a.b-c_d9"));
  EXPECT_FALSE(is_valid_user_name(""));
  EXPECT_FALSE(is_valid_user_name("Alice"));
  EXPECT_FALSE(is_valid_user_name(".alice"));
  EXPECT_FALSE(is_valid_user_name("al ice"));
  EXPECT_FALSE(is_valid_user_name(std::string(65, 'a')));
}

TEST(Tokens, ShapeAndHash) {
  const std::string a = make_token();
  const std::string b = make_token();
  EXPECT_EQ(a.size(), kTokenChars);
  EXPECT_NE(a, b);
  EXPECT_TRUE(looks_like_token(a));
  EXPECT_FALSE(looks_like_token(a + "="));
  EXPECT_EQ(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

}  // namespace
}  // namespace rapidesk::server
