// ServerApi and HttpClient against the real rapidesk-server on loopback: sign-in and its
// failures, push and pull through the sync codec, the read API, protocol mismatch, and the
// kept connection surviving the server closing it.
#include <gtest/gtest.h>

#include <fstream>

#include "net_fixture.h"
#include "rapidesk/client/local_replica.h"
#include "rapidesk/client/server_api.h"
#include "rapidesk/client/sync_worker.h"

namespace {

using namespace rapidesk_client_it;
using client::ServerApi;
using rapidesk::ErrorCode;

// A new profile `file` of alice (agent, NORTH; ClientServerTest's user) that syncs with the
// server on `port` using `token`.
rapidesk::Result<std::unique_ptr<client::LocalReplica>> alice_profile(const std::filesystem::path& file, int port,
                                                                      const std::string& token) {
  auto replica = client::LocalReplica::open(file);
  if (!replica) return replica.status();
  client::ProfileIdentity who = (*replica)->identity();
  who.user = "alice";
  who.role = "agent";
  who.team = "NORTH";
  who.server_url = "http://127.0.0.1:" + std::to_string(port);
  who.token = token;
  if (rapidesk::Status s = (*replica)->set_sign_in(who); !s) return s;
  return replica;
}

class ServerApiTest : public ClientServerTest {
 protected:
  void SetUp() override {
    ClientServerTest::SetUp();
    start();
  }
};

TEST_F(ServerApiTest, LoginGivesTokenProfileAndExpiry) {
  ServerApi api(loopback_address(port()));
  auto login = api.login("alice", "alice-pass-1", "laptop-1");
  ASSERT_TRUE(login) << login.status().message().en;
  EXPECT_EQ(login->token.size(), 43u);
  EXPECT_EQ(login->user.name, "alice");
  EXPECT_EQ(login->user.role, "agent");
  EXPECT_EQ(login->user.team, "NORTH");
  // Default token lifetime: 30 days.
  EXPECT_NEAR(static_cast<double>(login->expires_at - wall_ms()), 30.0 * 86'400'000, 120'000);
  EXPECT_TRUE(api.signed_in());

  auto me = api.me();
  ASSERT_TRUE(me) << me.status().message().en;
  EXPECT_EQ(me->user.name, "alice");
  EXPECT_EQ(me->device, "laptop-1");
  EXPECT_EQ(me->expires_at, login->expires_at);
}

TEST_F(ServerApiTest, WrongPasswordIsUnauthorizedWithTheServersMessage) {
  ServerApi api(loopback_address(port()));
  auto login = api.login("alice", "not-her-password", "laptop-1");
  ASSERT_FALSE(login);
  EXPECT_EQ(login.status().code(), ErrorCode::kUnauthorized);
  EXPECT_EQ(login.status().message().en, "unknown user name or wrong password");
  EXPECT_EQ(login.status().message().zh, "用户名不存在或密码错误");
  EXPECT_EQ(api.http().last_failure().http_status, 401);
  EXPECT_FALSE(api.signed_in());
  // Without a token the API refuses, and says so.
  auto me = api.me();
  ASSERT_FALSE(me);
  EXPECT_EQ(me.status().code(), ErrorCode::kUnauthorized);
}

TEST_F(ServerApiTest, TooManyFailedSignInsAreRateLimitedWithRetryAfter) {
  ServerApi api(loopback_address(port()));
  for (int i = 0; i < 5; ++i) {
    auto login = api.login("alice", "wrong-" + std::to_string(i), "laptop-1");
    ASSERT_FALSE(login);
    ASSERT_EQ(login.status().code(), ErrorCode::kUnauthorized) << "attempt " << i;
  }
  auto limited = api.login("alice", "alice-pass-1", "laptop-1");  // even the right password waits
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.status().code(), ErrorCode::kRateLimited);
  EXPECT_NE(limited.status().message().en.find("try again in"), std::string::npos) << limited.status().message().en;
  const auto failure = api.http().last_failure();
  EXPECT_EQ(failure.http_status, 429);
  ASSERT_TRUE(failure.retry_after.has_value());
  EXPECT_GE(failure.retry_after->count(), 1);
  EXPECT_LE(failure.retry_after->count(), 60);
}

TEST_F(ServerApiTest, PushedOpsComeBackInPull) {
  ServerApi api(loopback_address(port()));
  ASSERT_TRUE(api.login("alice", "alice-pass-1", "laptop-1"));
  sync::ClientReplica replica = make_replica("laptop-1", "alice");
  const std::string row = new_request(replica, "华东物流", "Scanner offline");
  const std::vector<sync::FieldOp> ops = replica.next_push();
  ASSERT_GE(ops.size(), 5u);

  auto pushed = api.push("laptop-1", ops);
  ASSERT_TRUE(pushed) << pushed.status().message().en;
  ASSERT_EQ(pushed->results.size(), ops.size());
  for (const auto& r : pushed->results) EXPECT_EQ(r.problem, sync::Problem::kNone) << r.op << ": " << r.status.message().en;
  EXPECT_GT(pushed->cursor, 0u);
  replica.on_push_result(*pushed);

  // Pulled back in small pages (a page may exceed the limit: a request's earlier history
  // comes along with it): every pushed op arrives, authored by alice.
  std::vector<sync::LogEntry> entries;
  std::uint64_t cursor = 0;
  int pages = 0;
  for (; pages < 100; ++pages) {
    auto page = api.pull(cursor, 2);
    ASSERT_TRUE(page) << page.status().message().en;
    entries.insert(entries.end(), page->entries.begin(), page->entries.end());
    cursor = page->cursor;
    if (!page->more) break;
  }
  EXPECT_LT(pages, 100);
  EXPECT_EQ(cursor, pushed->cursor);
  for (const auto& op : ops) {
    auto found = std::find_if(entries.begin(), entries.end(), [&](const sync::LogEntry& e) { return e.op.op == op.op; });
    ASSERT_NE(found, entries.end()) << op.op;
    EXPECT_EQ(found->op.author, "alice");
    EXPECT_EQ(found->op.value, op.value);
  }
  EXPECT_TRUE(replica.on_pull(entries, cursor));
  EXPECT_EQ(replica.pending_count(), 0u);

  // Replaying the push changes nothing: every op answers duplicate.
  auto replay = api.push("laptop-1", ops);
  ASSERT_TRUE(replay) << replay.status().message().en;
  for (const auto& r : replay->results) EXPECT_EQ(r.outcome, sync::Outcome::kDuplicate) << r.op;

  // The read API sees the request.
  auto request = api.get_json("/api/v1/requests/" + row);
  ASSERT_TRUE(request) << request.status().message().en;
  EXPECT_EQ((*request)["customer"], "华东物流");
  auto missing = api.get_json("/api/v1/requests/0190a5b0-0000-7000-8000-000000000000");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

// A request handed on to a team brings its history, notes included, on one page: for a
// request with 300 notes that is more than 1,000 entries, which the client's decoder used to
// refuse, on every round, for good.
TEST_F(ServerApiTest, APageBringingALongHistoryIsRead) {
  ServerApi coordinator(loopback_address(port()));
  ASSERT_TRUE(coordinator.login("carol", "carol-pass-1", "desk-1"));
  sync::ClientReplica desk = make_replica("desk-1", "carol");
  const std::string row = new_request(desk, "华东物流", "Scanner offline");
  ASSERT_TRUE(desk.set_field("request", row, "team", sync::Value::string("HQ")));
  for (int i = 0; i < 300; ++i) {
    const std::vector<sync::FieldEdit> note = {{"request_id", sync::Value::string(row)},
                                               {"kind", sync::Value::string("note")},
                                               {"author", sync::Value::string("carol")},
                                               {"text", sync::Value::string("第 " + std::to_string(i) + " 次跟进")}};
    ASSERT_TRUE(desk.edit("activity", desk.new_row_id(), note));
  }
  auto push_all = [&] {
    for (auto ops = desk.next_push(); !ops.empty(); ops = desk.next_push()) {
      auto pushed = coordinator.push("desk-1", ops);
      ASSERT_TRUE(pushed) << pushed.status().message().en;
      desk.on_push_result(*pushed);
    }
  };
  push_all();

  ServerApi agent(loopback_address(port()));
  ASSERT_TRUE(agent.login("alice", "alice-pass-1", "laptop-1"));
  auto nothing = agent.pull(0, 1000);  // NORTH sees nothing of HQ's request
  ASSERT_TRUE(nothing) << nothing.status().message().en;
  EXPECT_TRUE(nothing->entries.empty());
  ASSERT_TRUE(desk.set_field("request", row, "team", sync::Value::string("NORTH")));
  push_all();
  auto page = agent.pull(nothing->cursor, 10);
  ASSERT_TRUE(page) << page.status().message().en;
  EXPECT_GT(page->entries.size(), 1200u) << "the request, its 300 notes and the hand-over, on one page";
}

TEST_F(ServerApiTest, PullLimitOutsideOneToThousandIsRefusedLocally) {
  ServerApi api(loopback_address(port()));
  ASSERT_TRUE(api.login("alice", "alice-pass-1", "laptop-1"));
  EXPECT_EQ(api.pull(0, 0).status().code(), ErrorCode::kInvalid);
  EXPECT_EQ(api.pull(0, 1001).status().code(), ErrorCode::kInvalid);
  EXPECT_EQ(api.http().connections_opened(), 1u);  // nothing was sent for them
}

TEST_F(ServerApiTest, LogoutRevokesTheToken) {
  ServerApi api(loopback_address(port()));
  auto login = api.login("carol", "carol-pass-1", "desk-9");
  ASSERT_TRUE(login);
  ASSERT_TRUE(api.logout());
  EXPECT_FALSE(api.signed_in());
  api.set_token(login->token);  // the old token no longer works
  auto me = api.me();
  ASSERT_FALSE(me);
  EXPECT_EQ(me.status().code(), ErrorCode::kUnauthorized);
  EXPECT_TRUE(api.logout());  // already signed out on the server: fine
}

TEST_F(ServerApiTest, OtherProtocolVersionGetsUpgradeRequired) {
  client::HttpOptions options;
  options.protocol_version = 2;
  ServerApi api(loopback_address(port()), options);
  auto login = api.login("alice", "alice-pass-1", "laptop-1");
  ASSERT_FALSE(login);
  EXPECT_EQ(login.status().code(), ErrorCode::kUpgradeRequired);
  EXPECT_EQ(api.http().last_failure().http_status, 426);
  EXPECT_FALSE(login.status().message().zh.empty());
}

TEST_F(ServerApiTest, OneConnectionServesManyCalls) {
  ServerApi api(loopback_address(port()));
  ASSERT_TRUE(api.login("alice", "alice-pass-1", "laptop-1"));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(api.me());
  ASSERT_FALSE(api.get_json("/api/v1/no-such-thing"));  // an error answer keeps the connection too
  ASSERT_TRUE(api.me());
  EXPECT_EQ(api.http().connections_opened(), 1u);
}

TEST_F(ServerApiTest, ConnectionClosedByServerIsReopenedTransparently) {
  ServerApi api(loopback_address(port()));
  ASSERT_TRUE(api.login("alice", "alice-pass-1", "laptop-1"));
  restart_on_same_port();  // the kept connection dies with the old process
  auto me = api.me();
  ASSERT_TRUE(me) << me.status().message().en;
  EXPECT_EQ(me->user.name, "alice");
  EXPECT_EQ(api.http().connections_opened(), 2u);
}

class IdleServerApiTest : public ClientServerTest {};

TEST_F(IdleServerApiTest, IdleConnectionClosedByServerIsReopened) {
  start({"--idle-timeout", "1"});
  ServerApi api(loopback_address(port()));
  ASSERT_TRUE(api.login("alice", "alice-pass-1", "laptop-1"));
  std::this_thread::sleep_for(1500ms);  // the server drops the idle keep-alive connection
  auto me = api.me();
  ASSERT_TRUE(me) << me.status().message().en;
  EXPECT_EQ(api.http().connections_opened(), 2u);
}

// A background round that fails for good (here: a token the server does not know) used to
// run again every poll, and on every cursor a busy server announced; only an unreachable
// server was backed off. Any failure now waits longer each time.
TEST_F(ServerApiTest, ABackgroundSyncThatKeepsFailingBacksOff) {
  TempDir dir;
  auto replica = alice_profile(dir.path() / "a.db", port(), std::string(43, 'A'));  // well formed, unknown
  ASSERT_TRUE(replica) << replica.status().message().en;
  client::SyncWorkerOptions options;
  options.live_stream = false;
  options.poll_interval = std::chrono::milliseconds(20);
  options.initial_backoff = std::chrono::milliseconds(200);
  client::SyncWorker worker(**replica, options);
  worker.start();
  std::this_thread::sleep_for(1200ms);
  worker.stop();
  const client::SyncStatus status = worker.status();
  EXPECT_EQ(status.last_error.code(), ErrorCode::kUnauthorized);
  EXPECT_GE(status.rounds, 2u);
  EXPECT_LE(status.rounds, 6u) << "a failing round ran every poll";
  EXPECT_GT(status.next_retry_ms, 0);
}

// A server whose disk reserve leaves no room for a file (docs/server.md, Attachments).
class NoRoomForFilesTest : public ClientServerTest {
 protected:
  void SetUp() override {
    ClientServerTest::SetUp();
    const auto config = config_dir_.path() / "server.json";
    std::ofstream(config) << R"({"attachment_disk_reserve_bytes": 1125899906842624})";  // 1 PiB
    start({"--config", config.string()});
  }
  TempDir config_dir_;
};

// The background worker holds the file back and does not send it again for a while (each
// try costs a chunk) unless someone asks, yet the round counts as a sync: the request made
// before the file reaches the server, the device shows online, the last sync time moves.
TEST_F(NoRoomForFilesTest, AHeldFileIsNotSentAgainSoonAndTheRoundStillCounts) {
  TempDir dir;
  const std::string token = login("alice", "alice-pass-1");
  auto replica = alice_profile(dir.path() / "a.db", port(), token);
  ASSERT_TRUE(replica) << replica.status().message().en;
  const std::vector<client::FieldInput> intake = {{"customer", "华东医院"}, {"category", "tech_support"},
                                                  {"channel", "visit"},     {"title", "打印机卡纸"},
                                                  {"description", "打印机卡纸，无法打印"}};
  auto id = (*replica)->create_request(intake);
  ASSERT_TRUE(id) << id.status().message().en;
  const auto photo = dir.path() / "现场照片.jpg";
  std::ofstream(photo, std::ios::binary) << std::string(3000, 'p');
  ASSERT_TRUE((*replica)->attach_file(*id, photo));

  client::SyncWorkerOptions options;
  options.live_stream = false;
  client::SyncWorker worker(**replica, options);
  for (int round = 0; round < 2; ++round) {
    const rapidesk::Status held = worker.sync_once({});
    EXPECT_EQ(held.field(), "disk_reserve") << round << ": " << held.message().en;
    const client::SyncStatus status = worker.status();
    EXPECT_TRUE(status.online) << round;
    EXPECT_GT(status.last_sync_ms, 0) << round;
    EXPECT_GT(status.pending_ops, 0u) << "the attachment row waits with its file";
  }
  const auto refusals = [&] {
    const std::string body = http(port(), "GET", "/metrics").body;
    const std::string key = "method=\"PUT\",path=\"/api/v1/blobs/{sha256}\",status=\"503\"} ";
    const auto at = body.find(key);
    return at == std::string::npos ? 0 : std::stoi(body.substr(at + key.size()));
  };
  EXPECT_EQ(refusals(), 1) << "the second round did not send the file again";
  EXPECT_EQ(http(port(), "GET", "/api/v1/requests/" + *id, "", {"Authorization: Bearer " + token}).status, 200);
  // Someone presses Retry (or Sync now): the file is offered at once.
  worker.request_sync(true);
  EXPECT_EQ(worker.sync_once({}).field(), "disk_reserve");
  EXPECT_EQ(refusals(), 2);
}

}  // namespace
