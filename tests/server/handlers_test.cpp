// The request pipeline: routing, errors, protocol version, health and metrics.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "rapidesk/server/protocol.h"
#include "rapidesk/server/server_edits.h"
#include "test_support.h"

namespace rapidesk::server {
namespace {

using testing::body_of;
using testing::error_code_of;
using testing::Fixture;

TEST(Healthz, ReportsStatusVersionAndSchema) {
  Fixture f;
  HttpResponse r = f.request("GET", "/healthz");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  auto b = body_of(r);
  EXPECT_EQ(b["status"], "ok");
  EXPECT_EQ(b["version"], std::string(server_version()));
  EXPECT_EQ(b["schema"], latest_schema_version());
}

TEST(Healthz, FailingOnceACommitFailed) {
  Fixture f;
  ASSERT_EQ(f.request("GET", "/healthz").status, 200);
  // The store breaks behind the server's back: its next commit fails.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((f.dir.path() / "rapidesk.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE sync_log", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const Status s = f.state->sync->run_server_task([](ServerEdits& edits) {
    (void)edits.edit("request", "01900000-0000-7000-8000-000000000001", "title", sync::Value::string("x"));
    return std::vector<std::string>{};
  });
  EXPECT_EQ(s.code(), ErrorCode::kIo);
  // A load balancer must stop sending changes here.
  HttpResponse r = f.request("GET", "/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(body_of(r)["status"], "failing");
  EXPECT_FALSE(body_of(r)["message_zh"].get<std::string>().empty());
}

TEST(Metrics, PrometheusTextCountsRequests) {
  Fixture f;
  f.request("GET", "/healthz");
  f.request("GET", "/healthz");
  f.request("GET", "/nope/secret-token-in-path");
  f.state->metrics.add_ops_merged(7);
  f.state->metrics.add_conflicts(2);
  f.state->metrics.add_group_commit(3, 40);
  f.state->metrics.add_group_commit(1, 5);
  HttpResponse r = f.request("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = r.body;
  EXPECT_NE(text.find("# TYPE rapidesk_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("rapidesk_http_requests_total{method=\"GET\",path=\"/healthz\",status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  // Unmatched paths share one label, so scanners cannot blow up the series count.
  EXPECT_NE(text.find("rapidesk_http_requests_total{method=\"GET\",path=\"other\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.find("secret-token-in-path"), std::string::npos);
  EXPECT_NE(text.find("# TYPE rapidesk_http_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("rapidesk_http_request_duration_seconds_bucket{method=\"GET\",path=\"/healthz\",le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("rapidesk_http_request_duration_seconds_count{method=\"GET\",path=\"/healthz\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("rapidesk_ops_merged_total 7\n"), std::string::npos);
  EXPECT_NE(text.find("rapidesk_conflicts_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE rapidesk_sync_commits_total counter\nrapidesk_sync_commits_total 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("rapidesk_sync_commit_writers_total 4\n"), std::string::npos);
  EXPECT_NE(text.find("rapidesk_sync_committed_entries_total 45\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE rapidesk_ws_clients gauge\nrapidesk_ws_clients 0\n"), std::string::npos);
  // Every non-comment line is "name{labels} value" or "name value".
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "text must end with a newline";
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.starts_with("#")) continue;
    EXPECT_TRUE(line.starts_with("rapidesk_")) << line;
    EXPECT_NE(line.rfind(' '), std::string::npos) << line;
  }
}

TEST(Routing, UnknownPathIs404) {
  Fixture f;
  for (const char* path : {"/", "/api/v1/nothing", "/api/v1/reports/nothing", "/_test/announce"}) {
    HttpResponse r = f.request("GET", path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(error_code_of(r), "not_found") << path;
  }
}

TEST(Routing, SyncEndpointsNeedAToken) {
  Fixture f;
  for (const char* path : {"/api/v1/sync/push", "/api/v1/sync/pull?cursor=0", "/api/v1/requests", "/api/v1/requests/abc",
                           "/api/v1/reports/summary", "/api/v1/reports/summary.csv", "/api/v1/reports/requests.csv"}) {
    HttpResponse r = f.request(path == std::string("/api/v1/sync/push") ? "POST" : "GET", path);
    EXPECT_EQ(r.status, 401) << path;
  }
}

TEST(Routing, WrongMethodIs405WithAllow) {
  Fixture f;
  HttpResponse r = f.request("GET", "/api/v1/auth/login");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(error_code_of(r), "method_not_allowed");
  ASSERT_FALSE(r.headers.empty());
  EXPECT_EQ(r.headers.back(), (std::pair<std::string, std::string>{"Allow", "POST"}));
  EXPECT_EQ(f.request("DELETE", "/healthz").status, 405);
  EXPECT_EQ(f.request("BREW", "/healthz").status, 405);
}

TEST(Routing, BadTargetIs400) {
  Fixture f;
  EXPECT_EQ(f.request("GET", "*").status, 400);
  EXPECT_EQ(f.request("GET", "/healthz?x=%zz").status, 400);
  EXPECT_EQ(f.request("GET", "/healthz?x=%4").status, 400);
}

struct BadBody {
  const char* name;
  std::string body;
  const char* expect_in_message;
};

TEST(Login, BadBodiesAre400WithAClearMessage) {
  Fixture f;
  f.add_user("alice", "correct horse");
  const std::vector<BadBody> cases = {
      {"empty", "", "empty"},
      {"malformed", "{\"username\": \"alice\",", "well-formed"},
      {"not json", "username=alice&password=x", "well-formed"},
      {"deep nesting", std::string(200, '[') + std::string(200, ']'), "nested deeper"},
      {"deep nesting in object", "{\"username\":" + std::string(200, '{'), "nested deeper"},
      {"invalid utf-8", "{\"username\":\"al\xff\xfeice\",\"password\":\"x\",\"device\":\"d\"}", "UTF-8"},
      {"overlong utf-8", "{\"username\":\"\xc0\xaf\",\"password\":\"x\",\"device\":\"d\"}", "UTF-8"},
      {"array", "[1,2]", "JSON object"},
      {"string", "\"alice\"", "JSON object"},
      {"number username", R"({"username":42,"password":"x","device":"d"})", "must be a string"},
      {"null password", R"({"username":"alice","password":null,"device":"d"})", "required"},
      {"object device", R"({"username":"alice","password":"x","device":{}})", "must be a string"},
      {"missing device", R"({"username":"alice","password":"x"})", "required"},
      {"empty username", R"({"username":"","password":"x","device":"d"})", "must not be empty"},
      {"unknown field", R"({"username":"alice","password":"x","device":"d","admin":true})", "unknown field"},
      {"bad device", R"({"username":"alice","password":"x","device":"d e v"})", "device"},
      {"huge username", "{\"username\":\"" + std::string(1000, 'a') + "\",\"password\":\"x\",\"device\":\"d\"}",
       "longer than"},
  };
  for (const auto& c : cases) {
    HttpResponse r = f.request("POST", "/api/v1/auth/login", c.body);
    EXPECT_EQ(r.status, 400) << c.name << ": " << r.body;
    EXPECT_EQ(error_code_of(r), "invalid") << c.name;
    auto b = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_TRUE(b.is_object()) << c.name;
    EXPECT_NE(b["error"]["message"].get<std::string>().find(c.expect_in_message), std::string::npos)
        << c.name << ": " << r.body;
    EXPECT_FALSE(b["error"]["message_zh"].get<std::string>().empty()) << c.name;
  }
  // None of these counted as a failed sign-in.
  EXPECT_EQ(f.login("alice", "correct horse").status, 200);
}

TEST(Limits, OversizedBodyIs413) {
  ServerConfig config;
  config.max_body_bytes = 1024;
  Fixture f(config);
  HttpResponse r = f.request("POST", "/api/v1/auth/login", std::string(2000, ' '));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error_code_of(r), "too_large");
}

TEST(Protocol, MismatchIs426AndMatchPasses) {
  Fixture f;
  f.add_user("alice", "correct horse");
  const std::string token = f.token_for("alice", "correct horse");
  HttpResponse old = f.request("GET", "/api/v1/me", {}, {{"authorization", "Bearer " + token}, {"x-rapidesk-protocol", "0"}});
  EXPECT_EQ(old.status, 426);
  EXPECT_EQ(error_code_of(old), "upgrade_required");
  EXPECT_NE(body_of(old)["error"]["message"].get<std::string>().find("upgrade"), std::string::npos);
  // Also for routes this server does not have: the client is the one out of date.
  EXPECT_EQ(f.request("POST", "/api/v1/sync/push", "{}", {{"x-rapidesk-protocol", "2"}}).status, 426);
  HttpResponse same = f.request("GET", "/api/v1/me", {},
                                {{"authorization", "Bearer " + token},
                                 {"x-rapidesk-protocol", std::to_string(kProtocolVersion)}});
  EXPECT_EQ(same.status, 200);
  // Monitoring paths ignore it.
  EXPECT_EQ(f.request("GET", "/healthz", {}, {{"x-rapidesk-protocol", "99"}}).status, 200);
}

TEST(Stream, PlainGetIs426) {
  Fixture f;
  HttpResponse r = f.request("GET", "/api/v1/stream");
  EXPECT_EQ(r.status, 426);
  EXPECT_EQ(error_code_of(r), "upgrade_required");
}

TEST(TestHooks, OnlyWithTheFlag) {
  ServerConfig config;
  config.test_hooks = true;
  Fixture f(config);
  HttpResponse r = f.request("POST", "/_test/announce?cursor=12");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(f.state->announcer.latest(), 12);
  EXPECT_EQ(f.request("POST", "/_test/announce?cursor=x").status, 400);
  Fixture without;
  EXPECT_EQ(without.request("POST", "/_test/announce?cursor=12").status, 404);
}

TEST(Handlers, ExceptionsBecome500WithoutDetails) {
  ServerConfig config;
  Fixture f(config);
  Router router;
  router.add("GET", "/boom", [](const HttpRequest&, ServerState&) -> HttpResponse {
    throw std::runtime_error("secret detail");
  });
  auto storage = open_sqlite_storage(f.dir.path() / "other");
  ASSERT_TRUE(storage.is_ok());
  ServerState state(config, std::move(*storage), nullptr, system_now, router);
  HttpRequest request;
  request.method = "GET";
  request.target = "/boom";
  HttpResponse r = handle_request(request, state);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret detail"), std::string::npos);
}

}  // namespace
}  // namespace rapidesk::server
