// Sync over the real server: push, pull, replay, authorisation per record, clock drift,
// concurrent pushes, restart and SIGKILL crash recovery. Replicas are the sync library's
// ClientReplica, so the ops are exactly what a desktop client sends.
#include <atomic>
#include <set>

#include "harness.h"
#include "rapidesk/shared/request_number.h"
#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"

namespace {

using namespace rapidesk_it;
namespace sync = rapidesk::sync;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A device: a replica plus its signed-in session.
struct Device {
  Device(std::string id, std::string user, std::int64_t skew_ms = 0)
      : replica(sync::ClientOptions{id, user, 1}, [skew_ms] { return wall_ms() + skew_ms; },
                [state = std::make_shared<std::mt19937_64>(std::hash<std::string>{}(id))] { return (*state)(); }),
        device(std::move(id)) {}

  std::string new_request(const std::string& customer, const std::string& title) {
    const std::string row = replica.new_row_id();
    std::vector<sync::FieldEdit> edits = {{"customer", sync::Value::string(customer)},
                                          {"title", sync::Value::string(title)},
                                          {"category", sync::Value::string("tech_support")},
                                          {"channel", sync::Value::string("visit")},
                                          {"description", sync::Value::string("扫码枪无法连接系统")}};
    auto ops = replica.edit("request", row, edits);
    EXPECT_TRUE(ops) << ops.status().message().en;
    return row;
  }

  // Pushes every unsent op; returns the server's decoded answer (nullopt on transport error).
  std::optional<sync::PushResult> push(int port, const std::string& token, std::string* raw = nullptr) {
    auto ops = replica.next_push();
    Response r = http(port, "POST", "/api/v1/sync/push", sync::encode_push(device, ops),
                      {"Authorization: Bearer " + token});
    if (raw) *raw = r.body;
    if (r.status != 200) return std::nullopt;
    auto decoded = sync::decode_push_result(r.body);
    if (!decoded.ok()) return std::nullopt;
    replica.on_push_result(decoded.result);
    return decoded.result;
  }

  // Pulls until nothing more; returns how many entries arrived.
  size_t pull(int port, const std::string& token, int limit = 1000) {
    size_t total = 0;
    for (;;) {
      Response r = http(port, "GET",
                        "/api/v1/sync/pull?cursor=" + std::to_string(replica.cursor()) + "&limit=" + std::to_string(limit),
                        {}, {"Authorization: Bearer " + token});
      EXPECT_EQ(r.status, 200) << r.body;
      auto page = sync::decode_pull(r.body);
      EXPECT_TRUE(page.ok());
      if (!page.ok()) return total;
      total += page.entries.size();
      EXPECT_TRUE(replica.on_pull(page.entries, page.cursor)) << "replica diverged";
      if (!page.more) return total;
    }
  }

  sync::ClientReplica replica;
  std::string device;
};

class SyncTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    add_user("north.field", "pw-north-1", "field", "NORTH");
    add_user("south.field", "pw-south-1", "field", "SOUTH");
    add_user("coord", "pw-coord-1", "coordinator", "HQ");
    start();
    north_ = login("north.field", "pw-north-1");
    south_ = login("south.field", "pw-south-1");
    coord_ = login("coord", "pw-coord-1");
    ASSERT_FALSE(north_.empty());
    ASSERT_FALSE(south_.empty());
    ASSERT_FALSE(coord_.empty());
  }
  Response get(const std::string& target, const std::string& token) {
    return http(port(), "GET", target, {}, {"Authorization: Bearer " + token});
  }
  std::string north_, south_, coord_;
};

TEST_F(SyncTest, PushPullReplayAndNumbers) {
  Device laptop("laptop-north", "north.field");
  const std::string row = laptop.new_request("华东物流", "扫码枪离线");
  auto result = laptop.push(port(), north_);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->results.size(), 5u);
  for (const auto& r : result->results) EXPECT_NE(r.outcome, sync::Outcome::kRejected) << r.status.message().en;

  // The server numbered the request; the pull brings it back to the device.
  EXPECT_GE(laptop.pull(port(), north_), 6u);
  auto number = laptop.replica.visible().read("request", row, "number");
  ASSERT_TRUE(number);
  EXPECT_TRUE(rapidesk::parse_request_number(number->value.as_string())) << number->value.as_string();
  EXPECT_NE(number->value.as_string().find("-NORTH-0001"), std::string::npos);

  // Replaying the same batch changes nothing.
  const std::uint64_t cursor_before = laptop.replica.cursor();
  // Re-push the exact ops the first device pushed: every one is a duplicate.
  std::vector<sync::FieldOp> first_ops;
  for (const auto& field : {"customer", "title", "category", "channel", "description"}) {
    auto v = laptop.replica.confirmed().read("request", row, field);
    ASSERT_TRUE(v);
    sync::FieldOp op;
    op.op = v->op;
    op.entity = "request";
    op.row = row;
    op.field = field;
    op.value = v->value;
    op.hlc = v->hlc;
    first_ops.push_back(op);
  }
  Response dup = http(port(), "POST", "/api/v1/sync/push", sync::encode_push("laptop-north", first_ops),
                      {"Authorization: Bearer " + north_});
  ASSERT_EQ(dup.status, 200) << dup.body;
  auto dup_result = sync::decode_push_result(dup.body);
  ASSERT_TRUE(dup_result.ok());
  for (const auto& r : dup_result.result.results) EXPECT_EQ(r.outcome, sync::Outcome::kDuplicate);
  EXPECT_EQ(dup_result.result.cursor, cursor_before);

  // The read API shows it with its number.
  Response one = get("/api/v1/requests/" + row, north_);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json()["customer"], "华东物流");
  EXPECT_EQ(one.json()["number"], number->value.as_string());
  Response list = get("/api/v1/requests?team=&customer=%E5%8D%8E%E4%B8%9C%E7%89%A9%E6%B5%81", coord_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json()["total"], 0) << "every filter must hold: its team is set";
  Response by_customer = get("/api/v1/requests?customer=%E5%8D%8E%E4%B8%9C%E7%89%A9%E6%B5%81&channel=visit", coord_);
  ASSERT_EQ(by_customer.json()["total"], 1) << by_customer.body;
  EXPECT_EQ(by_customer.json()["requests"][0]["title"], "扫码枪离线") << "the whole row";
  EXPECT_EQ(get("/api/v1/requests?customer=nobody", coord_).json()["total"], 0);
  // A limit out of range is refused, not cut to fit (a client paging by it would skip rows).
  Response too_many = get("/api/v1/requests?limit=1001", coord_);
  EXPECT_EQ(too_many.status, 400) << too_many.body;
  EXPECT_NE(too_many.body.find("between 0 and 1000"), std::string::npos) << too_many.body;
  EXPECT_EQ(get("/api/v1/requests?limit=0", coord_).json()["total"], 1);

  // Deleted, the request is gone from the read API by id as from the list.
  ASSERT_TRUE(laptop.replica.set_field("request", row, "deleted", sync::Value::boolean(true)));
  ASSERT_TRUE(laptop.push(port(), north_));
  EXPECT_EQ(get("/api/v1/requests/" + row, north_).status, 404);
  EXPECT_EQ(get("/api/v1/requests/" + row, coord_).status, 404);
  EXPECT_EQ(get("/api/v1/requests?limit=0", coord_).json()["total"], 0);
}

TEST_F(SyncTest, AnotherTeamsRequestIsNeitherVisibleNorEditable) {
  Device north("dev-north", "north.field");
  const std::string row = north.new_request("苏州精密制造", "设备巡检");
  ASSERT_TRUE(north.replica.set_field("request", row, "team", sync::Value::string("NORTH")));
  ASSERT_TRUE(north.push(port(), north_));

  Device south("dev-south", "south.field");
  EXPECT_EQ(south.pull(port(), south_), 0u);  // nothing of NORTH's arrives
  EXPECT_EQ(get("/api/v1/requests/" + row, south_).status, 404);

  // An edit of that row, forged by hand, is refused per op with 403 "forbidden".
  sync::FieldOp op;
  op.op = "dev-south:1";
  op.entity = "request";
  op.row = row;
  op.field = "title";
  op.value = sync::Value::string("hijacked");
  op.hlc = south.replica.clock().now();
  Response r = http(port(), "POST", "/api/v1/sync/push", sync::encode_push("dev-south", std::vector{op}),
                    {"Authorization: Bearer " + south_});
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  ASSERT_EQ(j["rejected"].size(), 1u);
  EXPECT_EQ(j["rejected"][0]["code"], "forbidden");
  EXPECT_FALSE(j["rejected"][0]["message_zh"].get<std::string>().empty());
  EXPECT_EQ(get("/api/v1/requests/" + row, coord_).json()["title"], "设备巡检");

  // The coordinator sees everything; moving the request to SOUTH brings its history along.
  Device coord("dev-coord", "coord");
  EXPECT_GE(coord.pull(port(), coord_), 7u);
  ASSERT_TRUE(coord.replica.set_field("request", row, "team", sync::Value::string("SOUTH")));
  ASSERT_TRUE(coord.push(port(), coord_));
  EXPECT_GE(south.pull(port(), south_), 7u);
  auto customer = south.replica.visible().read("request", row, "customer");
  ASSERT_TRUE(customer);
  EXPECT_EQ(customer->value.as_string(), "苏州精密制造");
}

// The usual hand-over: a coordinator retitles another team's request, then assigns it to
// this team. The reader's pull met the retitle (visible by the request's team now) before
// the hand-over that brings the request's earlier history, so the replica applied the new
// title and then the older one, judged it differently from the server, and stopped syncing
// for good. The request's notes stayed behind too. Now a page is in log order and the
// history (with the request's children) comes with the first entry that needs it, on pages
// of any size.
TEST_F(SyncTest, ARequestHandedOnAfterAnEditArrivesWholeAndInStep) {
  for (int limit : {1000, 3, 1}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    Device north("dev-north-" + std::to_string(limit), "north.field");
    const std::string row = north.new_request("苏州精密制造", "设备巡检");
    ASSERT_TRUE(north.replica.set_field("request", row, "team", sync::Value::string("NORTH")));
    const std::string note = north.replica.new_row_id();
    const std::vector<sync::FieldEdit> note_fields = {{"request_id", sync::Value::string(row)},
                                                      {"kind", sync::Value::string("note")},
                                                      {"author", sync::Value::string("north.field")},
                                                      {"text", sync::Value::string("客户说周三上午方便")}};
    ASSERT_TRUE(north.replica.edit("activity", note, note_fields));
    ASSERT_TRUE(north.push(port(), north_));

    Device south("dev-south-" + std::to_string(limit), "south.field");
    south.pull(port(), south_, limit);  // SOUTH's copy is up to date and has nothing of it
    ASSERT_FALSE(south.replica.visible().read("request", row, "title"));

    Device coord("dev-coord-" + std::to_string(limit), "coord");
    coord.pull(port(), coord_);
    ASSERT_TRUE(coord.replica.set_field("request", row, "title", sync::Value::string("设备巡检（加急）")));
    ASSERT_TRUE(coord.push(port(), coord_));
    ASSERT_TRUE(coord.replica.set_field("request", row, "team", sync::Value::string("SOUTH")));
    ASSERT_TRUE(coord.push(port(), coord_));

    south.pull(port(), south_, limit);  // fails the test if the replica diverges
    auto title = south.replica.visible().read("request", row, "title");
    ASSERT_TRUE(title);
    EXPECT_EQ(title->value.as_string(), "设备巡检（加急）");
    auto customer = south.replica.visible().read("request", row, "customer");
    ASSERT_TRUE(customer);
    EXPECT_EQ(customer->value.as_string(), "苏州精密制造");
    auto body = south.replica.visible().read("activity", note, "text");
    ASSERT_TRUE(body) << "the request's notes come with it";
    EXPECT_EQ(body->value.as_string(), "客户说周三上午方便");
    // Later edits keep arriving.
    ASSERT_TRUE(coord.replica.set_field("request", row, "title", sync::Value::string("设备巡检（已联系）")));
    ASSERT_TRUE(coord.push(port(), coord_));
    south.pull(port(), south_, limit);
    EXPECT_EQ(south.replica.visible().read("request", row, "title")->value.as_string(), "设备巡检（已联系）");
  }
}

TEST_F(SyncTest, ClockOneYearAheadIsRefusedWithAClearMessage) {
  Device future("dev-future", "north.field", 365LL * 24 * 3600 * 1000);
  future.new_request("未来客户", "时钟错误");
  std::string raw;
  auto result = future.push(port(), north_, &raw);
  ASSERT_TRUE(result) << raw;
  for (const auto& r : result->results) {
    EXPECT_EQ(r.outcome, sync::Outcome::kRejected);
    EXPECT_EQ(r.problem, sync::Problem::kClockDrift);
  }
  EXPECT_NE(raw.find("clock"), std::string::npos) << raw;
  // The answer says the server's time, by which the device corrects its stamps.
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(static_cast<double>(result->server_ms), static_cast<double>(now_ms), 60'000.0) << raw;
}

TEST_F(SyncTest, ConcurrentPushesAllArriveOnce) {
  constexpr int kClients = 8;
  constexpr int kBatches = 10;
  std::vector<std::thread> threads;
  std::atomic<int> acked{0};
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      Device d("dev-" + std::to_string(c), "north.field");
      for (int b = 0; b < kBatches; ++b) {
        d.new_request("客户" + std::to_string(c), "批次" + std::to_string(b));
        auto r = d.push(port(), north_);
        if (!r) continue;
        for (const auto& op : r->results) acked += op.outcome != sync::Outcome::kRejected;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(acked.load(), kClients * kBatches * 5);
  // Every op once, plus one number per request (the SLA service's own ops come on top).
  size_t client_ops = 0, numbers = 0, entries = 0;
  for (std::uint64_t c = 0;;) {
    Response page = get("/api/v1/sync/pull?cursor=" + std::to_string(c) + "&limit=1000", coord_);
    auto decoded = sync::decode_pull(page.body);
    ASSERT_TRUE(decoded.ok());
    entries += decoded.entries.size();
    for (const auto& e : decoded.entries) {
      client_ops += e.op.origin == sync::Origin::kClient;
      numbers += e.op.origin == sync::Origin::kServer && e.op.field == "number";
    }
    c = decoded.cursor;
    if (!decoded.more) break;
  }
  EXPECT_EQ(client_ops, static_cast<size_t>(kClients * kBatches * 5));
  EXPECT_EQ(numbers, static_cast<size_t>(kClients * kBatches));
  EXPECT_EQ(get("/api/v1/requests?limit=1000", coord_).json()["total"], kClients * kBatches);
  // Group commit: every push was made durable by some commit, every entry written once.
  const std::string metrics = http(port(), "GET", "/metrics").body;
  const auto counter = [&](const std::string& name) {
    const size_t at = metrics.find("\n" + name + " ");
    return at == std::string::npos ? -1LL : std::stoll(metrics.substr(at + name.size() + 2));
  };
  const long long commits = counter("rapidesk_sync_commits_total");
  EXPECT_GE(commits, 1);
  EXPECT_GE(counter("rapidesk_sync_commit_writers_total"), kClients * kBatches);
  EXPECT_GE(counter("rapidesk_sync_commit_writers_total"), commits);
  EXPECT_EQ(counter("rapidesk_sync_committed_entries_total"), static_cast<long long>(entries));
}

TEST_F(SyncTest, RestartKeepsEverythingAndNumbersContinue) {
  Device d("dev-restart", "north.field");
  d.new_request("宁波港口服务", "一");
  ASSERT_TRUE(d.push(port(), north_));
  d.pull(port(), north_);
  ASSERT_EQ(server_->terminate_and_wait(10s), 0);
  start();
  north_ = login("north.field", "pw-north-1");
  const std::string second = d.new_request("宁波港口服务", "二");
  ASSERT_TRUE(d.push(port(), north_));
  d.pull(port(), north_);
  auto number = d.replica.visible().read("request", second, "number");
  ASSERT_TRUE(number);
  EXPECT_NE(number->value.as_string().find("-NORTH-0002"), std::string::npos) << number->value.as_string();
}

// A repeated append-only value is acknowledged without a log entry; that answer is stored, so
// after a restart an op reusing the id for a different value still gets it (not a refusal).
TEST_F(SyncTest, AnAnswerKeptOutsideTheLogSurvivesARestart) {
  Device d("dev-answers", "north.field");
  const std::string request = d.new_request("宁波港口服务", "三");
  const std::string note = d.replica.new_row_id();
  const sync::FieldEdit entry[] = {{"request_id", sync::Value::string(request)},
                                   {"kind", sync::Value::string("note")},
                                   {"author", sync::Value::string("north.field")},
                                   {"at", sync::Value::string("2026-01-01T10:00:00+08:00")},
                                   {"text", sync::Value::string("Called the customer")}};
  ASSERT_TRUE(d.replica.edit("activity", note, entry));
  ASSERT_TRUE(d.push(port(), north_));
  const auto repeat = [&](const char* text) {
    sync::FieldOp op;
    op.op = "dev-answers:900";
    op.entity = "activity";
    op.row = note;
    op.field = "text";
    op.value = sync::Value::string(text);
    op.hlc = d.replica.clock().now();
    Response r = http(port(), "POST", "/api/v1/sync/push", sync::encode_push("dev-answers", std::vector{op}),
                      {"Authorization: Bearer " + north_});
    EXPECT_EQ(r.status, 200) << r.body;
    auto decoded = sync::decode_push_result(r.body);
    EXPECT_TRUE(decoded.ok() && decoded.result.results.size() == 1) << r.body;
    return decoded.ok() && !decoded.result.results.empty() ? decoded.result.results[0].outcome : sync::Outcome::kRejected;
  };
  EXPECT_EQ(repeat("Called the customer"), sync::Outcome::kDuplicate);
  ASSERT_EQ(server_->terminate_and_wait(10s), 0);
  start();
  north_ = login("north.field", "pw-north-1");
  EXPECT_EQ(repeat("Edited afterwards"), sync::Outcome::kDuplicate);  // the id's first answer
}

// Pushes 2,000 ops in small batches while the server is SIGKILLed at random moments and
// restarted; every acknowledged op must be present exactly once, and the database intact.
TEST_F(SyncTest, CrashTestAcknowledgedOpsSurviveSigkill) {
  std::mt19937 rng(7);
  Device d("dev-crash", "north.field");
  std::set<std::string> acknowledged;
  int kills = 0;
  const std::string row = d.new_request("常州城市燃气", "压力测试");
  for (int i = 0; i < 400; ++i) {
    // Five single-field edits per batch: 2,000 ops in all.
    for (int k = 0; k < 5; ++k) {
      ASSERT_TRUE(d.replica.set_field("request", row, "background", sync::Value::string("edit " + std::to_string(i * 5 + k))));
    }
    std::atomic<bool> fire{false};
    std::thread killer;
    if (rng() % 40 == 0) {
      fire = true;
      const auto delay = std::chrono::microseconds(rng() % 3000);
      const pid_t pid = server_->pid();
      killer = std::thread([pid, delay] {
        std::this_thread::sleep_for(delay);
        kill(pid, SIGKILL);
      });
    }
    auto r = d.push(port(), north_);
    if (killer.joinable()) killer.join();
    if (r) {
      for (const auto& op : r->results) {
        if (op.outcome != sync::Outcome::kRejected) acknowledged.insert(op.op);
      }
    }
    if (fire) {
      ++kills;
      start();
      north_ = login("north.field", "pw-north-1");
    }
  }
  // Whatever was not acknowledged is still queued: send it now.
  while (d.replica.unsent_count() > 0) {
    auto r = d.push(port(), north_);
    ASSERT_TRUE(r);
    for (const auto& op : r->results) {
      if (op.outcome != sync::Outcome::kRejected) acknowledged.insert(op.op);
    }
  }
  EXPECT_GT(kills, 3);
  EXPECT_EQ(acknowledged.size(), 2005u);  // 5 intake fields + 2,000 edits
  Device reader("dev-audit", "coord");
  reader.pull(port(), coord_);
  std::multiset<std::string> seen;
  for (std::uint64_t c = 0;;) {
    Response page = get("/api/v1/sync/pull?cursor=" + std::to_string(c) + "&limit=1000", coord_);
    auto decoded = sync::decode_pull(page.body);
    ASSERT_TRUE(decoded.ok());
    for (const auto& e : decoded.entries) seen.insert(e.op.op);
    c = decoded.cursor;
    if (!decoded.more) break;
  }
  for (const auto& op : acknowledged) EXPECT_EQ(seen.count(op), 1u) << op;
  ASSERT_EQ(server_->terminate_and_wait(10s), 0);
  Child check = spawn({"/usr/bin/sqlite3", (data_ / "rapidesk.db").string(), "PRAGMA integrity_check;"}, "", log_);
  EXPECT_EQ(read_all(check.out_fd), "ok\n");
  wait_exit(check.pid, 10s);
}

}  // namespace
