// The client's networking logic that needs no socket: server addresses as people type
// them, the server's error bodies, and the reconnection delays.
#include <gtest/gtest.h>

#include <set>

#include "rapidesk/client/http_error.h"
#include "rapidesk/client/reconnect_backoff.h"
#include "rapidesk/client/server_address.h"

namespace {

using rapidesk::ErrorCode;
using rapidesk::client::ReconnectBackoff;
using rapidesk::client::ServerAddress;
using rapidesk::client::status_from_http_error;
using namespace std::chrono_literals;

TEST(ServerAddressTest, ParsesHostPortAndBasePath) {
  auto a = ServerAddress::parse("http://127.0.0.1:8080");
  ASSERT_TRUE(a) << a.status().message().en;
  EXPECT_FALSE(a->tls);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(a->base_path, "");
  EXPECT_EQ(a->target("/api/v1/me"), "/api/v1/me");
  EXPECT_EQ(a->url(), "http://127.0.0.1:8080");

  auto b = ServerAddress::parse("  HTTPS://Desk.Example.COM/rapidesk/ ");
  ASSERT_TRUE(b) << b.status().message().en;
  EXPECT_TRUE(b->tls);
  EXPECT_EQ(b->host, "desk.example.com");
  EXPECT_EQ(b->port, 443);
  EXPECT_EQ(b->base_path, "/rapidesk");
  EXPECT_EQ(b->target("/api/v1/me"), "/rapidesk/api/v1/me");
  EXPECT_EQ(b->host_header(), "desk.example.com");
  EXPECT_EQ(b->url(), "https://desk.example.com/rapidesk");

  auto c = ServerAddress::parse("http://[::1]:9000/");
  ASSERT_TRUE(c) << c.status().message().en;
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->host_header(), "[::1]:9000");
  EXPECT_EQ(ServerAddress::parse("http://desk")->port, 80);
}

TEST(ServerAddressTest, RefusesBadAddressesWithAReason) {
  struct Case {
    const char* url;
    const char* reason;  // a piece of the English message
  };
  const Case cases[] = {
      {"", "empty"},
      {"127.0.0.1:8080", "must start with http:// or https://"},
      {"ftp://desk", "unsupported scheme"},
      {"http://", "host name is missing"},
      {"http://:8080", "host name is missing"},
      {"http://desk:0", "port must be a number from 1 to 65535"},
      {"http://desk:65536", "port must be a number"},
      {"http://desk:80a", "port must be a number"},
      {"http://desk:", "port must be a number"},
      {"http://alice:pw@desk", "user names or passwords"},
      {"http://desk/a?b=1", "query"},
      {"http://desk/a#top", "fragment"},
      {"http://de sk", "spaces or control characters"},
      {"http://desk\r\nHost: evil", "spaces or control characters"},
      {"http://de$k", "host name may hold only"},
      {"http://[::1", "missing ']'"},
      {"http://[zz]:80", "malformed IPv6"},
      {"http://desk/%zz", "%-escaped"},
  };
  for (const Case& c : cases) {
    auto parsed = ServerAddress::parse(c.url);
    ASSERT_FALSE(parsed) << c.url;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalid) << c.url;
    EXPECT_NE(parsed.status().message().en.find(c.reason), std::string::npos)
        << c.url << " → " << parsed.status().message().en;
    EXPECT_FALSE(parsed.status().message().zh.empty());
    EXPECT_NE(parsed.status().message().zh, parsed.status().message().en);
  }
  EXPECT_FALSE(ServerAddress::parse("http://" + std::string(3000, 'a')));
}

TEST(HttpErrorTest, ServerErrorBodyKeepsCodeAndBothLanguages) {
  auto s = status_from_http_error(
      403, R"({"error":{"code":"forbidden","message":"not your team","message_zh":"不是你的团队","field":"team"}})");
  EXPECT_EQ(s.code(), ErrorCode::kForbidden);
  EXPECT_EQ(s.message().en, "not your team");
  EXPECT_EQ(s.message().zh, "不是你的团队");
  EXPECT_EQ(s.field(), "team");

  auto missing_zh = status_from_http_error(404, R"({"error":{"code":"not_found","message":"no such request"}})");
  EXPECT_EQ(missing_zh.code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing_zh.message().zh, "no such request");
}

TEST(HttpErrorTest, StatusDecidesWhenTheBodyCannot) {
  EXPECT_EQ(status_from_http_error(426, R"({"error":{"code":"invalid","message":"x"}})").code(),
            ErrorCode::kUpgradeRequired);
  EXPECT_EQ(status_from_http_error(401, "").code(), ErrorCode::kUnauthorized);
  EXPECT_EQ(status_from_http_error(429, "{}").code(), ErrorCode::kRateLimited);
  EXPECT_EQ(status_from_http_error(405, R"({"error":{"code":"method_not_allowed","message":"x"}})").code(),
            ErrorCode::kInvalid);
  auto proxy = status_from_http_error(502, "<html><body>Bad Gateway</body></html>");
  EXPECT_EQ(proxy.code(), ErrorCode::kUnavailable);
  EXPECT_NE(proxy.message().en.find("502"), std::string::npos);
  EXPECT_NE(proxy.message().zh.find("502"), std::string::npos);
  EXPECT_EQ(status_from_http_error(500, "not json").code(), ErrorCode::kInternal);
  EXPECT_EQ(status_from_http_error(400, R"({"error":"flat"})").code(), ErrorCode::kInvalid);
  // A huge remote message is clipped, not shown whole.
  const std::string huge = R"({"error":{"code":"invalid","message":")" + std::string(100000, 'x') + R"("}})";
  EXPECT_LT(status_from_http_error(400, huge).message().en.size(), 3000u);
}

TEST(ReconnectBackoffTest, DoublesWithJitterUpToTheCap) {
  std::uint64_t n = 0;
  ReconnectBackoff backoff(500ms, 30s, [&n] { return n++ * 7919; });
  std::chrono::milliseconds ceiling = 500ms;
  for (int i = 0; i < 12; ++i) {
    const auto delay = backoff.next();
    EXPECT_GE(delay, ceiling / 2) << "attempt " << i;
    EXPECT_LE(delay, ceiling) << "attempt " << i;
    ceiling = std::min<std::chrono::milliseconds>(ceiling * 2, 30s);
  }
  EXPECT_GE(backoff.next(), 15s);  // capped at 30 s, never below half of it
  backoff.reset();
  EXPECT_LE(backoff.next(), 500ms);
}

TEST(ReconnectBackoffTest, JitterSpreadsClientsApart) {
  std::set<long long> delays;
  for (int client = 0; client < 20; ++client) {
    ReconnectBackoff backoff(1s, 30s);
    backoff.next();
    backoff.next();
    delays.insert(backoff.next().count());  // third attempt: in [2 s, 4 s]
  }
  EXPECT_GT(delays.size(), 10u);
  EXPECT_GE(*delays.begin(), 2000);
  EXPECT_LE(*delays.rbegin(), 4000);
}

}  // namespace
