// When a group commit or a merge fails midway, the server stops taking changes: every push
// waiting on the failure is answered with an error, none waits for good, the log says why,
// and nothing of the failed work is stored or committed later. With several servers on one
// database, a server whose commit failed or whose writer lease was lost never serves what
// it merged meanwhile as durable, whatever the others wrote since.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <condition_variable>
#include <mutex>
#include <new>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "rapidesk/server/shared_log.h"
#include "rapidesk/server/sync_service.h"
#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"
#include "test_support.h"

namespace rapidesk::server {
namespace {

using testing::body_of;
using testing::error_code_of;
using testing::Fixture;
using testing::TempDir;

// A real store whose next sync log write, once armed, holds until released and then either
// throws or goes ahead. A fault is thrown once: a commit that tried the same write again
// would reach the disk.
class HeldLogStorage final : public Storage {
 public:
  explicit HeldLogStorage(std::unique_ptr<Storage> inner) : inner_(std::move(inner)) {}

  // The next append_log waits in the write until release(), then throws or writes.
  void arm(bool then_throw) {
    std::lock_guard lock(m_);
    armed_ = true;
    throw_ = then_throw;
  }
  // Until the `nth` held write has begun; false if it did not within 20 s.
  bool wait_until_writing(int nth) {
    std::unique_lock lock(m_);
    return changed_.wait_for(lock, std::chrono::seconds(20), [&] { return held_ >= nth; });
  }
  // Lets the held write go on.
  void release() {
    std::lock_guard lock(m_);
    ++released_;
    changed_.notify_all();
  }
  int writes_attempted() {
    std::lock_guard lock(m_);
    return writes_;
  }

  Status append_log(std::span<const sync::LogEntry* const> entries, std::span<const SyncRejectionRecord> rejected,
                    std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) override {
    {
      std::unique_lock lock(m_);
      ++writes_;
      if (armed_) {
        armed_ = false;
        const int mine = ++held_;
        changed_.notify_all();
        changed_.wait(lock, [&] { return released_ >= mine; });
        if (throw_) throw std::runtime_error("disk gone");
      }
    }
    return inner_->append_log(entries, rejected, next_server_op, fired_sla_keys);
  }

  // While set, reading teams fails as a lost database connection would.
  std::atomic<bool> fail_team_reads{false};
  Result<TeamRecord> find_team(std::string_view code) override {
    if (fail_team_reads) return team_read_failure();
    return inner_->find_team(code);
  }
  Result<std::vector<TeamRecord>> list_teams() override {
    if (fail_team_reads) return team_read_failure();
    return inner_->list_teams();
  }

  // Everything else goes to the real store.
  int schema_version() const override { return inner_->schema_version(); }
  Status add_team(const TeamRecord& team) override { return inner_->add_team(team); }
  Status update_team(const TeamRecord& team) override { return inner_->update_team(team); }
  Status add_user(const UserRecord& user) override { return inner_->add_user(user); }
  Result<bool> add_user_and_team(const UserRecord& user) override { return inner_->add_user_and_team(user); }
  Result<UserRecord> find_user(std::string_view name) override { return inner_->find_user(name); }
  Result<std::vector<UserRecord>> list_users() override { return inner_->list_users(); }
  Status set_password_hash(std::string_view name, std::string_view hash) override {
    return inner_->set_password_hash(name, hash);
  }
  Status set_user_active(std::string_view name, bool active) override { return inner_->set_user_active(name, active); }
  Status touch_device(std::string_view id, std::string_view user, Instant now) override {
    return inner_->touch_device(id, user, now);
  }
  Result<std::vector<DeviceRecord>> list_devices(std::string_view user) override { return inner_->list_devices(user); }
  Status add_token(const TokenRecord& token) override { return inner_->add_token(token); }
  Result<TokenRecord> find_token(std::string_view hash) override { return inner_->find_token(hash); }
  Status revoke_token(std::string_view hash) override { return inner_->revoke_token(hash); }
  Status revoke_user_tokens(std::string_view user) override { return inner_->revoke_user_tokens(user); }
  Status append_sync(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                     std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) override {
    return inner_->append_sync(entries, rejected, next_server_op, fired_sla_keys);
  }
  Status load_sync(const std::function<Status(SyncLogRecord&&)>& on_entry,
                   const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                   std::uint64_t& next_server_op) override {
    return inner_->load_sync(on_entry, on_rejection, next_server_op);
  }
  Status load_log(const std::function<Status(std::vector<sync::LogEntry>&&)>& on_entries,
                  const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                  std::uint64_t& next_server_op) override {
    return inner_->load_log(on_entries, on_rejection, next_server_op);
  }
  Result<std::vector<std::string>> load_sla_fired() override { return inner_->load_sla_fired(); }

  // Several servers: the shared log handed to the sync service (null: a server alone). Set
  // before the service is built; not owned.
  SharedLog* shared = nullptr;
  SharedLog* shared_log() override { return shared; }

 private:
  static Status team_read_failure() {
    return Status(ErrorCode::kUnavailable, Text{"the database connection was lost", "数据库连接已断开"});
  }
  std::unique_ptr<Storage> inner_;
  std::mutex m_;
  std::condition_variable changed_;
  bool armed_ = false, throw_ = false;
  int held_ = 0, released_ = 0, writes_ = 0;
};

// The ops of a new request filed on `device`, one request per device (its op ids are the
// device's own). Every such request makes as many log entries: its fields, then its number.
std::vector<sync::FieldOp> new_request_ops(const std::string& device, const std::string& user) {
  sync::ClientReplica replica(sync::ClientOptions{device, user, 1}, [] { return testing::kStart; },
                              [state = std::make_shared<std::mt19937_64>(std::hash<std::string>{}(device))] {
                                return (*state)();
                              });
  const std::vector<sync::FieldEdit> intake = {{"customer", sync::Value::string("宁波港口服务")},
                                               {"title", sync::Value::string("扫码枪无法连接 " + device)},
                                               {"category", sync::Value::string("tech_support")},
                                               {"channel", sync::Value::string("visit")},
                                               {"team", sync::Value::string("NORTH")}};
  auto ops = replica.edit("request", replica.new_row_id(), intake);
  EXPECT_TRUE(ops) << ops.status().message().en;
  return replica.next_push();
}

// `user` files a new request and pushes it through the endpoint, from a device of its own
// for each `round` (the same device and round would replay the same op ids).
HttpResponse push_new_request(Fixture& f, const std::string& user, const std::string& token, int round) {
  const std::string device = "dev-" + user + "-" + std::to_string(round);
  return f.request("POST", "/api/v1/sync/push", sync::encode_push(device, new_request_ops(device, user)),
                   {{"authorization", "Bearer " + token}});
}

// The first line of the server's log with event `event` (null if none).
nlohmann::json first_event(const Fixture& f, std::string_view event) {
  std::istringstream lines(f.log.str());
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == event) return j;
  }
  return nullptr;
}

// The server stopped taking changes once, for a reason containing `why`: its log says so in
// one `changes_stopped` event, /healthz turns 503 `failing` without the detail (it needs no
// sign-in), and the metrics gauge drops to 0.
void expect_stopped_once(Fixture& f, std::string_view why) {
  std::istringstream lines(f.log.str());
  int stops = 0;
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("event", "") != "changes_stopped") continue;
    ++stops;
    EXPECT_EQ(j.value("level", ""), "error");
    EXPECT_NE(j.value("message", "").find(why), std::string::npos) << line;
  }
  EXPECT_EQ(stops, 1) << f.log.str();
  const HttpResponse health = f.request("GET", "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(body_of(health)["status"], "failing");
  EXPECT_NE(body_of(health)["message"].get<std::string>().find("changes_stopped"), std::string::npos) << health.body;
  EXPECT_FALSE(body_of(health)["message_zh"].get<std::string>().empty());
  EXPECT_EQ(health.body.find(why), std::string::npos) << health.body;
  EXPECT_NE(f.request("GET", "/metrics").body.find("\nrapidesk_accepting_changes 0\n"), std::string::npos);
}

// A push refused because the server stopped taking changes: refused before merging.
void expect_refused(Fixture& f, const std::function<HttpResponse()>& push) {
  const std::uint64_t merged = f.state->sync->ops_merged(), durable = f.state->sync->durable_cursor();
  const HttpResponse r = push();
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(error_code_of(r), "internal");
  EXPECT_EQ(f.state->sync->ops_merged(), merged);
  EXPECT_EQ(f.state->sync->durable_cursor(), durable);
}

// Stops `f`'s server and starts one on the same data: its log ends at `kept`.
void expect_stored_after_restart(Fixture& f, const TempDir& data, std::uint64_t kept) {
  f.state.reset();
  auto reopened = open_sqlite_storage(data.path());
  ASSERT_TRUE(reopened) << reopened.status().message().en;
  Fixture restarted(std::move(*reopened));
  ASSERT_TRUE(restarted.state->sync->load());
  EXPECT_EQ(restarted.state->sync->ops_merged(), kept);
}

// Pushes of new requests, each on a thread of its own, and their answers.
class Pushers {
 public:
  explicit Pushers(Fixture& f) : f_(f) {}
  ~Pushers() { finish(); }

  // Starts a push; with `until_merged`, returns once its ops are merged (a push's ops merge
  // at once, under one lock) and it has queued its commit.
  void start(const std::string& user, const std::string& token, int round, bool until_merged) {
    const std::uint64_t before = f_.state->sync->ops_merged();
    HttpResponse& answer = answers_.emplace_back();
    threads_.emplace_back([this, &answer, user, token, round] {
      answer = push_new_request(f_, user, token, round);
      ++answered_;
    });
    if (!until_merged) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (f_.state->sync->ops_merged() == before && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_GT(f_.state->sync->ops_merged(), before) << user << "'s push did not merge";
  }

  // Every answer, in the order started. A push left waiting would hang the suite: after
  // 30 s the whole run is given up instead.
  const std::deque<HttpResponse>& finish() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (answered_.load() < threads_.size()) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::fprintf(stderr, "FAILED: %zu pushes still wait for their commit\n", threads_.size() - answered_.load());
        std::abort();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    return answers_;
  }

 private:
  Fixture& f_;
  std::deque<HttpResponse> answers_;  // never moved: each thread writes its own
  std::vector<std::thread> threads_;
  std::atomic<size_t> answered_{0};
};

// A server whose store's log writes can be held (`held`), with signed-in coordinators.
struct HeldServer {
  explicit HeldServer(const std::vector<std::string>& names) : users(names) {
    auto opened = open_sqlite_storage(data.path());
    if (!opened) throw std::runtime_error(opened.status().message().en);
    auto storage = std::make_unique<HeldLogStorage>(std::move(*opened));
    held = storage.get();
    f = std::make_unique<Fixture>(std::move(storage));
    for (const auto& u : users) {
      f->add_user(u, "correct horse " + u, Role::kCoordinator);
      tokens.push_back(f->token_for(u, "correct horse " + u));
      EXPECT_FALSE(tokens.back().empty());
    }
  }
  TempDir data;
  HeldLogStorage* held = nullptr;  // owned by f's server
  std::unique_ptr<Fixture> f;
  std::vector<std::string> users, tokens;
};

TEST(FailStop, EveryPushWaitingOnAThrowingWriteHearsOfItAndNothingIsStored) {
  HeldServer server({"lead", "second", "third", "fourth"});
  Fixture& f = *server.f;
  HeldLogStorage& faulty = *server.held;
  const auto& users = server.users;
  const auto& tokens = server.tokens;
  // A push that commits normally first: the failure below must not undo it.
  ASSERT_EQ(push_new_request(f, "lead", tokens[0], 1).status, 200);
  const std::uint64_t kept = f.state->sync->durable_cursor();
  ASSERT_GT(kept, 0u);

  faulty.arm(/*then_throw=*/true);
  const int writes_before = faulty.writes_attempted();
  Pushers pushers(f);
  pushers.start(users[0], tokens[0], 2, /*until_merged=*/false);
  // The first push leads a commit, held in its write.
  EXPECT_TRUE(faulty.wait_until_writing(1)) << "the push did not commit";
  // The others merge one at a time and queue behind it.
  for (size_t i = 1; i < users.size(); ++i) pushers.start(users[i], tokens[i], 2, /*until_merged=*/true);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let them reach the wait for the commit
  faulty.release();
  const auto& answers = pushers.finish();
  for (size_t i = 0; i < users.size(); ++i) {
    EXPECT_EQ(answers[i].status, 500) << users[i] << ": " << answers[i].body;
    EXPECT_EQ(error_code_of(answers[i]), "internal") << users[i];
  }
  // The queued pushes were not written by another leader after the throw.
  EXPECT_EQ(faulty.writes_attempted(), writes_before + 1);
  EXPECT_EQ(f.state->sync->durable_cursor(), kept);

  // The server logs why, once for all the failed pushes, and refuses further changes until
  // restarted.
  expect_stopped_once(f, "disk gone");
  expect_refused(f, [&] { return push_new_request(f, "second", tokens[1], 3); });
  EXPECT_EQ(faulty.writes_attempted(), writes_before + 1);

  // Restarted on the same data: the first push is there, none of the failed ones.
  expect_stored_after_restart(f, server.data, kept);
}

// Automation that, once armed, makes one edit on the newest entry's row and then throws, as
// running out of memory halfway through its work would.
class ThrowingAutomation final : public SyncObserver {
 public:
  WhenDurable after_push(ServerEdits& edits) override {
    if (!armed) return {};
    armed = false;
    const std::string row(edits.log().view(edits.log().size() - 1).op.row);
    EXPECT_EQ(edits.edit("request", row, "sla_state", sync::Value::string("warning")).outcome, sync::Outcome::kApplied);
    throw std::bad_alloc();
  }
  bool armed = false;
};

TEST(FailStop, AMergeThatThrowsStopsChangesAndNothingOfItIsCommitted) {
  HeldServer server({"lead"});  // its writes are never held here
  Fixture& f = *server.f;
  const std::string& token = server.tokens[0];
  ThrowingAutomation automation;
  f.state->sync->set_observer(&automation);
  ASSERT_EQ(push_new_request(f, "lead", token, 1).status, 200);
  const std::uint64_t kept = f.state->sync->durable_cursor();
  ASSERT_GT(kept, 0u);

  automation.armed = true;
  const HttpResponse failed = push_new_request(f, "lead", token, 2);
  EXPECT_EQ(failed.status, 500) << failed.body;
  EXPECT_EQ(error_code_of(failed), "internal");
  // The push's ops and the automation's one edit are merged in memory, never committed.
  EXPECT_GT(f.state->sync->ops_merged(), kept);
  EXPECT_EQ(f.state->sync->durable_cursor(), kept);

  expect_stopped_once(f, "std::bad_alloc");
  // The answer hides the fault; the server's log names it.
  EXPECT_EQ(failed.body.find("bad_alloc"), std::string::npos) << failed.body;
  const nlohmann::json fault = first_event(f, "server_fault");
  EXPECT_EQ(fault.value("path", ""), "/api/v1/sync/push") << f.log.str();
  EXPECT_EQ(fault.value("user", ""), "lead");
  EXPECT_NE(fault.value("message", "").find("std::bad_alloc"), std::string::npos) << f.log.str();
  // A later push would have committed the half-merged one with it: it is refused instead.
  expect_refused(f, [&] { return push_new_request(f, "lead", token, 3); });
  EXPECT_EQ(f.state->sync->run_server_task([](ServerEdits&) { return std::vector<std::string>{}; }).code(),
            ErrorCode::kInternal);

  expect_stored_after_restart(f, server.data, kept);
}

// Automation that announces each push once it is durable (as the SLA service announces a
// new urgent request): counts the announcements and the durable cursor each one saw.
class Announcer final : public SyncObserver {
 public:
  explicit Announcer(SyncService& sync) : sync_(sync) {}
  WhenDurable after_push(ServerEdits& edits) override {
    const std::uint64_t merged = edits.log().size();
    return [this, merged] {
      ++announced;
      durable_when_announced = sync_.durable_cursor();
      merged_when_announced = merged;
    };
  }
  std::atomic<int> announced{0};
  std::uint64_t durable_when_announced = 0, merged_when_announced = 0;

 private:
  SyncService& sync_;
};

// A new urgent request's webhook was queued while its push merged, before the commit: a
// commit that then failed left the world told about a request the server never kept.
TEST(FailStop, APushIsAnnouncedOnlyOnceItIsDurable) {
  HeldServer server({"lead"});
  Fixture& f = *server.f;
  Announcer announcer(*f.state->sync);
  f.state->sync->set_observer(&announcer);
  ASSERT_EQ(push_new_request(f, "lead", server.tokens[0], 1).status, 200);
  EXPECT_EQ(announcer.announced.load(), 1);
  EXPECT_GE(announcer.durable_when_announced, announcer.merged_when_announced);

  server.held->arm(/*then_throw=*/true);
  std::thread pusher([&] { EXPECT_EQ(push_new_request(f, "lead", server.tokens[0], 2).status, 500); });
  ASSERT_TRUE(server.held->wait_until_writing(1));
  EXPECT_EQ(announcer.announced.load(), 1) << "announced while its commit was under way";
  server.held->release();
  pusher.join();
  EXPECT_EQ(announcer.announced.load(), 1) << "a push whose commit failed was announced";
  f.state->sync->set_observer(nullptr);
}

TEST(FailStop, AWriteUnderWayStillAnswersItsPushesWhenAMergeThrows) {
  HeldServer server({"lead", "second", "third"});
  Fixture& f = *server.f;
  HeldLogStorage& held = *server.held;
  const auto& users = server.users;
  const auto& tokens = server.tokens;
  ThrowingAutomation automation;
  f.state->sync->set_observer(&automation);

  Pushers pushers(f);
  held.arm(/*then_throw=*/false);
  pushers.start(users[0], tokens[0], 1, /*until_merged=*/false);
  EXPECT_TRUE(held.wait_until_writing(1)) << "the first push did not commit";
  pushers.start(users[1], tokens[1], 1, /*until_merged=*/true);
  pushers.start(users[2], tokens[2], 1, /*until_merged=*/true);
  // The first commit goes ahead; the two queued behind it are then written together, held.
  held.arm(/*then_throw=*/false);
  held.release();
  EXPECT_TRUE(held.wait_until_writing(2)) << "the queued pushes did not commit";

  // A merge throws while that write is under way. The waiting push of the two must not
  // give up: the write reads its entries, and it succeeds.
  automation.armed = true;
  const HttpResponse failed = push_new_request(f, users[0], tokens[0], 2);
  EXPECT_EQ(failed.status, 500) << failed.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a waiter that gives up does so now
  held.release();
  const auto& answers = pushers.finish();
  for (size_t i = 0; i < users.size(); ++i) EXPECT_EQ(answers[i].status, 200) << users[i] << ": " << answers[i].body;

  const std::uint64_t kept = f.state->sync->durable_cursor();
  EXPECT_LT(kept, f.state->sync->ops_merged());  // the interrupted push stays in memory only
  EXPECT_EQ(f.request("GET", "/healthz").status, 503);
  expect_stored_after_restart(f, server.data, kept);
}

TEST(FailStop, AServerTaskThatThrowsStopsChangesEvenBeforeItsFirstEditAndReadsGoOn) {
  HeldServer server({"lead"});
  Fixture& f = *server.f;
  const std::string& token = server.tokens[0];
  ASSERT_EQ(push_new_request(f, "lead", token, 1).status, 200);
  const std::uint64_t kept = f.state->sync->durable_cursor();

  // The SLA service moves its timers and ledgers under the merge lock before it edits: a
  // throw there leaves them out of step with the store even without an edit.
  const Status failed = f.state->sync->run_server_task([](ServerEdits& edits) -> std::vector<std::string> {
    if (edits.log().size() > 0) throw std::runtime_error("timers broke");
    return {};
  });
  EXPECT_EQ(failed.code(), ErrorCode::kInternal);
  expect_stopped_once(f, "timers broke");
  expect_refused(f, [&] { return push_new_request(f, "lead", token, 2); });
  // The SLA scheduler, which retries every second, is refused without a line each time.
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(f.state->sla->fire_due().is_ok());
  EXPECT_TRUE(first_event(f, "sla_fire").is_null()) << f.log.str();

  // Reads (the request list, the reviews behind reports) go on from what the server holds.
  std::size_t requests = 0;
  f.state->sync->read_merged(
      [&](const sync::ReplicaStore& store, Instant) { requests = store.rows("request").size(); });
  EXPECT_EQ(requests, 1u);
  expect_stored_after_restart(f, server.data, kept);
}

TEST(StorageFaults, ATeamLookupThatFailsFailsThePushInsteadOfRefusingTheLeadsEdit) {
  HeldServer server({"coord"});
  Fixture& f = *server.f;
  f.add_user("north.lead", "correct horse lead", Role::kAgent, "NORTH");
  ASSERT_TRUE(f.state->storage->update_team({"NORTH", "NORTH team", std::string("north.lead")}));
  const std::string lead_token = f.token_for("north.lead", "correct horse lead");
  ASSERT_FALSE(lead_token.empty());
  ASSERT_EQ(push_new_request(f, "coord", server.tokens[0], 1).status, 200);
  std::string row;
  f.state->sync->read_merged([&](const sync::ReplicaStore& store, Instant) { row = store.rows("request").at(0); });

  // The team lead re-agrees the due time with the customer (owner: nobody yet).
  sync::ClientReplica laptop(sync::ClientOptions{"lead-laptop", "north.lead", 1}, [] { return testing::kStart; },
                             [state = std::make_shared<std::mt19937_64>(7)] { return (*state)(); });
  const std::vector<sync::FieldEdit> reagreed = {
      {"agreed_due", sync::Value::string("2026-11-20T10:00:00+08:00")},
      {"agreed_reason", sync::Value::string("客户要求延期 / customer asked for more time")}};
  ASSERT_TRUE(laptop.edit("request", row, reagreed));
  const std::vector<sync::FieldOp> batch = laptop.next_push();
  auto push = [&] {
    return f.request("POST", "/api/v1/sync/push", sync::encode_push("lead-laptop", batch),
                     {{"authorization", "Bearer " + lead_token}});
  };
  // Whether they lead NORTH cannot be read: the whole push fails (and stays queued on the
  // laptop), rather than the edits being refused as not theirs to make.
  server.held->fail_team_reads = true;
  const std::uint64_t merged = f.state->sync->ops_merged();
  const HttpResponse failed = push();
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(f.state->sync->ops_merged(), merged);
  EXPECT_EQ(f.request("GET", "/healthz").status, 200);

  server.held->fail_team_reads = false;
  const HttpResponse retried = push();
  ASSERT_EQ(retried.status, 200) << retried.body;
  auto result = sync::decode_push_result(retried.body);
  ASSERT_TRUE(result.ok()) << retried.body;
  ASSERT_EQ(result.result.results.size(), 2u);
  for (const auto& r : result.result.results) EXPECT_EQ(r.outcome, sync::Outcome::kApplied) << retried.body;
}

// ---- several servers on one database --------------------------------------------------------

// The tables several servers share (sync_log, sync_rejected, the counter), in memory.
struct SharedTables {
  std::mutex mutex;
  std::vector<SyncLogRecord> log;  // entry `seq` at index seq - 1
  std::vector<SyncRejectionRecord> rejected;
  std::uint64_t next_server_op = 0;
};

// One server's sessions on SharedTables, as PgStorage's are on PostgreSQL. The writer lease
// is always granted: each test orders the servers' steps itself. Once armed, an append waits
// until failed and then writes nothing, as one on a session that was lost meanwhile; a hook
// may run at the start of the next read, i.e. after the reader's health check and before
// anything is read; another after the next read took its entries, before they are handed on.
class MemorySharedLog final : public SharedLog {
 public:
  explicit MemorySharedLog(SharedTables& tables) : tables_(tables) {}

  void before_next_read(std::function<void()> hook) {
    std::lock_guard lock(m_);
    hook_ = std::move(hook);
  }
  void after_next_read(std::function<void()> hook) {
    std::lock_guard lock(m_);
    after_hook_ = std::move(hook);
  }
  // How many reads began.
  size_t reads() {
    std::lock_guard lock(m_);
    return reads_;
  }
  // The next read fails as a database gone away would.
  void fail_next_read() {
    std::lock_guard lock(m_);
    fail_read_ = true;
  }
  void hold_next_append() {
    std::lock_guard lock(m_);
    hold_ = true;
  }
  // Until the held append has begun; false if it did not within 20 s.
  bool wait_until_append_held() {
    std::unique_lock lock(m_);
    return changed_.wait_for(lock, std::chrono::seconds(20), [&] { return held_; });
  }
  void fail_held_append() {
    std::lock_guard lock(m_);
    failed_ = true;
    changed_.notify_all();
  }

  Status read_since(LogPosition& from, const LogReader& reader) override {
    std::function<void()> hook, after_hook;
    {
      std::lock_guard lock(m_);
      ++reads_;
      hook = std::exchange(hook_, nullptr);
      after_hook = std::exchange(after_hook_, nullptr);
      if (std::exchange(fail_read_, false)) return Status::io(Text{"connection lost", "连接已断开"});
    }
    if (hook) hook();
    std::vector<SyncLogRecord> entries;
    std::vector<SyncRejectionRecord> rejected;
    std::uint64_t counter = 0;
    {
      std::lock_guard lock(tables_.mutex);
      const auto first_entry = std::min<std::size_t>(from.seq, tables_.log.size());
      const auto first_rejection = std::min<std::size_t>(from.rejection, tables_.rejected.size());
      entries.assign(tables_.log.begin() + static_cast<std::ptrdiff_t>(first_entry), tables_.log.end());
      rejected.assign(tables_.rejected.begin() + static_cast<std::ptrdiff_t>(first_rejection), tables_.rejected.end());
      counter = tables_.next_server_op;
    }
    if (after_hook) after_hook();
    LogPosition at = from;
    for (auto& r : entries) {
      const std::uint64_t seq = r.seq;
      if (Status s = reader.on_entry(std::move(r)); !s) return s;
      at.seq = seq;
    }
    if (!entries.empty()) reader.on_counter(counter);  // as PgStorage: read with the entries
    for (auto& r : rejected) {
      if (Status s = reader.on_rejection(std::move(r)); !s) return s;
      ++at.rejection;
    }
    from = at;
    return Status::ok();
  }

  Status acquire_writer() override { return Status::ok(); }
  void release_writer() override {}

  Status append_announced(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                          std::uint64_t next_server_op, std::span<const std::string>) override {
    {
      std::unique_lock lock(m_);
      if (hold_) {
        hold_ = false;
        held_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return failed_; });
        return Status(ErrorCode::kUnavailable, Text{"the session that held the writer lease was lost",
                                                    "持有写入权的会话已断开"});
      }
    }
    std::lock_guard lock(tables_.mutex);
    // As sync_log's key on seq: an append continues the log or writes nothing.
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].seq != tables_.log.size() + 1 + i) {
        return Status::conflict(Text{"duplicate or missing seq", "seq 重复或缺失"});
      }
    }
    tables_.log.insert(tables_.log.end(), entries.begin(), entries.end());
    tables_.rejected.insert(tables_.rejected.end(), rejected.begin(), rejected.end());
    tables_.next_server_op = std::max(tables_.next_server_op, next_server_op);
    return Status::ok();
  }

  Result<std::unique_ptr<LogListener>> listen() override {
    return Status(ErrorCode::kUnavailable, Text{"no listener in this test", "本测试没有监听"});
  }
  std::unique_ptr<LeaderLock> leader_lock() override { return nullptr; }

 private:
  SharedTables& tables_;
  std::mutex m_;
  std::condition_variable changed_;
  std::function<void()> hook_, after_hook_;              // guarded by m_
  size_t reads_ = 0;                                     // guarded by m_
  bool hold_ = false, held_ = false, failed_ = false;  // guarded by m_
  bool fail_read_ = false;                             // guarded by m_
};

// One server of several over `tables`: a sync service on its own sessions of the shared log
// (its accounts, unused here, in a SQLite store of its own), loaded.
struct SharedServer {
  explicit SharedServer(SharedTables& tables) : log(tables) {
    auto opened = open_sqlite_storage(data.path());
    if (!opened) throw std::runtime_error(opened.status().message().en);
    storage = std::make_unique<HeldLogStorage>(std::move(*opened));
    storage->shared = &log;
    service = std::make_unique<SyncService>(*storage, [] { return testing::kStart; });
    service->set_stop_listener([this](const Status& why) {
      std::lock_guard lock(stops_mutex);
      stops.push_back(why.message().en);
    });
    const Status loaded = service->load();
    EXPECT_TRUE(loaded) << loaded.message().en;
  }
  std::vector<std::string> stop_reasons() {
    std::lock_guard lock(stops_mutex);
    return stops;
  }

  TempDir data;
  MemorySharedLog log;
  std::unique_ptr<HeldLogStorage> storage;
  std::unique_ptr<SyncService> service;
  std::mutex stops_mutex;
  std::vector<std::string> stops;  // guarded by stops_mutex: each reason the stop listener was told
};

AuthContext coordinator(const std::string& user) {
  AuthContext who;
  who.user = user;
  who.role = Role::kCoordinator;
  who.team = "NORTH";
  who.device = "dev-" + user;
  return who;
}

// How many of `ops` a pull page serves.
size_t served(const PullPage& page, const std::vector<sync::FieldOp>& ops) {
  size_t n = 0;
  for (const auto& e : page.entries) {
    for (const auto& op : ops) n += e.op.op == op.op;
  }
  return n;
}

// Server B, taking the lease A gave up (or lost), files two requests of its own. The first
// takes exactly the seqs of A's unsaved request, the second the seqs after them; its number
// is a server op A has never made (B's second), so applying it on A would go through.
void other_server_files_two_requests(SharedServer& b, std::uint64_t a_merged) {
  for (const char* device : {"dev-b-1", "dev-b-2"}) {
    auto pushed = b.service->push(coordinator("coord.b"), new_request_ops(device, "coord.b"));
    EXPECT_TRUE(pushed.is_ok()) << pushed.status().message().en;
  }
  EXPECT_EQ(b.service->durable_cursor(), 2 * a_merged) << "B's requests are not the size of A's";
}

// A's push of `ops` on a thread of its own, its append held: A's commit is under way until
// fail() (or the end of the test) fails it.
class HeldPush {
 public:
  HeldPush(SharedServer& a, std::vector<sync::FieldOp> ops) : a_(a) {
    a_.log.hold_next_append();
    thread_ = std::thread([this, batch = std::move(ops)] {
      auto r = a_.service->push(coordinator("coord.a"), batch);
      answer_ = r ? Status::ok() : r.status();
    });
  }
  ~HeldPush() { fail(); }
  HeldPush(const HeldPush&) = delete;
  HeldPush& operator=(const HeldPush&) = delete;

  // Until the append is held; false if it was not within 20 s.
  bool held() { return a_.log.wait_until_append_held(); }
  // Fails the held append and returns the push's answer once it has one.
  const Status& fail() {
    a_.log.fail_held_append();
    if (thread_.joinable()) thread_.join();
    return answer_;
  }

 private:
  SharedServer& a_;
  std::thread thread_;
  Status answer_;  // written by the thread, read after joining it
};

// Servers A and B over one shared database, A with a new request merged and its commit held.
struct TwoServersAndAHeldCommit {
  SharedTables tables;
  SharedServer a{tables};
  SharedServer b{tables};
  const std::vector<sync::FieldOp> ops = new_request_ops("dev-a", "coord.a");
  HeldPush push{a, ops};
};

// A reader behind server A reaches A's end: B committed meanwhile. The page used to say
// "no more", and the reader stopped there until the next announcement.
TEST(SharedPull, APageThatReachesThisServersEndSaysWhetherTheOthersCommittedMore) {
  SharedTables tables;
  SharedServer a{tables};
  SharedServer b{tables};
  ASSERT_TRUE(a.service->push(coordinator("coord.a"), new_request_ops("dev-a", "coord.a")).is_ok());
  const std::uint64_t mine = a.service->durable_cursor();
  ASSERT_GT(mine, 2u);
  ASSERT_TRUE(b.service->push(coordinator("coord.b"), new_request_ops("dev-b", "coord.b")).is_ok());
  ASSERT_GT(b.service->durable_cursor(), mine);

  PullPage page = a.service->pull(coordinator("coord.a"), 1, mine - 1);
  EXPECT_EQ(page.cursor, mine);
  EXPECT_TRUE(page.more) << "B's request was committed after A's";
  EXPECT_TRUE(page.cannot_tell);
  page = a.service->pull(coordinator("coord.a"), page.cursor, 1000);
  EXPECT_EQ(page.cursor, b.service->durable_cursor());
  EXPECT_FALSE(page.more);
  EXPECT_TRUE(page.cannot_tell);
  // A field user's filtered page too.
  AuthContext field = coordinator("field.a");
  field.role = Role::kField;
  ASSERT_TRUE(a.service->push(coordinator("coord.a"), new_request_ops("dev-a2", "coord.a")).is_ok());
  ASSERT_TRUE(b.service->push(coordinator("coord.b"), new_request_ops("dev-b2", "coord.b")).is_ok());
  page = a.service->pull(field, 1, 1000);
  EXPECT_TRUE(page.more);

  // The database cannot be read: the page that reaches A's end cannot say "no more".
  const std::uint64_t end = b.service->durable_cursor();
  page = a.service->pull(coordinator("coord.a"), 0, 100000);
  ASSERT_EQ(page.cursor, end);
  ASSERT_FALSE(page.more);
  a.log.fail_next_read();
  page = a.service->pull(coordinator("coord.a"), 1, 100000);
  EXPECT_EQ(page.cannot_tell.code(), ErrorCode::kUnavailable);
  EXPECT_NE(page.cannot_tell.message().en.find("connection lost"), std::string::npos) << page.cannot_tell.message().en;
  a.log.fail_next_read();
  page = a.service->pull(coordinator("coord.a"), end, 100000);  // at the end: the same
  EXPECT_EQ(page.cannot_tell.code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(a.service->health()) << "a read that failed stops nothing";
}

// Live clients pull together after an announcement. Those that come while a read of the
// shared database is under way share one read, begun after they came: the one under way may
// have read before a commit they must see.
TEST(SharedPull, CatchUpsArrivingDuringAReadShareTheNextOne) {
  SharedTables tables;
  SharedServer a{tables};
  SharedServer b{tables};
  ASSERT_TRUE(b.service->push(coordinator("coord.b"), new_request_ops("dev-b", "coord.b")).is_ok());
  constexpr size_t kLate = 4;
  std::vector<std::thread> late;
  std::vector<Result<bool>> answers(kLate, false);
  a.log.after_next_read([&] {
    // The first read has its entries. B commits again, and then the others ask.
    EXPECT_TRUE(b.service->push(coordinator("coord.b"), new_request_ops("dev-b2", "coord.b")).is_ok());
    for (size_t i = 0; i < kLate; ++i) late.emplace_back([&, i] { answers[i] = a.service->catch_up(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (a.service->catch_ups_waiting() < kLate && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(a.service->catch_ups_waiting(), kLate) << "the late callers read on their own";
  });
  const size_t reads_before = a.log.reads();
  const Result<bool> first = a.service->catch_up();
  for (auto& t : late) t.join();

  EXPECT_TRUE(first.is_ok()) << first.status().message().en;
  for (const auto& answer : answers) EXPECT_TRUE(answer.is_ok()) << answer.status().message().en;
  EXPECT_EQ(a.log.reads() - reads_before, 2u) << "one read for the first caller, one shared by the others";
  EXPECT_EQ(a.service->durable_cursor(), b.service->durable_cursor()) << "B's second commit was missed";
  EXPECT_EQ(a.service->catch_ups_waiting(), 0u);
}

// A's commit fails while a catch-up of A waits on its (unlocked) read: A stops and hands
// the lease on, B commits the seqs A had merged, and the catch-up reads them. It must apply
// nothing: A's memory holds its own unsaved entries at those seqs, and counting B's entries
// after them as durable would serve A's unsaved ones to every pull.
TEST(FailStop, ACatchUpAfterACommitFailedDuringItsReadAppliesNothing) {
  TwoServersAndAHeldCommit both;
  ASSERT_TRUE(both.push.held()) << "A's push did not commit";
  const std::uint64_t a_merged = both.a.service->ops_merged();
  ASSERT_GT(a_merged, both.ops.size());  // its fields and its number
  ASSERT_EQ(both.a.service->durable_cursor(), 0u);

  both.a.log.before_next_read([&] {
    // A stops and hands the lease on; its push is not acknowledged.
    EXPECT_FALSE(both.push.fail()) << "A's push was acknowledged although its commit failed";
    other_server_files_two_requests(both.b, a_merged);
  });
  EXPECT_FALSE(both.a.service->catch_up().is_ok());

  // Nothing of A's failed push is served as durable, and A says it stopped, once.
  EXPECT_EQ(both.a.service->durable_cursor(), 0u);
  const PullPage on_a = both.a.service->pull(coordinator("coord.a"), 0, 1000);
  EXPECT_EQ(served(on_a, both.ops), 0u);
  // Nor does it answer "nothing more": B committed since, which A cannot read.
  EXPECT_EQ(on_a.cannot_tell.code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(both.a.service->health());
  EXPECT_EQ(both.a.stop_reasons().size(), 1u);
  // B serves its own two requests, nothing of A's.
  const PullPage on_b = both.b.service->pull(coordinator("coord.b"), 0, 1000);
  EXPECT_EQ(on_b.entries.size(), 2 * a_merged);
  EXPECT_EQ(served(on_b, both.ops), 0u);
}

// A's writer session is lost while its commit is still under way (nothing has failed
// here yet): B takes the lease and commits the seqs A had merged. A catch-up of A reading
// them finds that it lost the lease, and stops A instead of serving its unsaved entries.
TEST(FailStop, ACatchUpThatFindsTheSeqsItMergedWrittenByAnotherServerStopsIt) {
  TwoServersAndAHeldCommit both;
  ASSERT_TRUE(both.push.held()) << "A's push did not commit";
  const std::uint64_t a_merged = both.a.service->ops_merged();
  ASSERT_GT(a_merged, both.ops.size());  // its fields and its number
  ASSERT_TRUE(both.a.service->health());

  both.a.log.before_next_read([&] { other_server_files_two_requests(both.b, a_merged); });
  EXPECT_FALSE(both.a.service->catch_up().is_ok());
  EXPECT_EQ(both.a.service->durable_cursor(), 0u);
  EXPECT_EQ(served(both.a.service->pull(coordinator("coord.a"), 0, 1000), both.ops), 0u);
  const Status health = both.a.service->health();
  EXPECT_FALSE(health);
  EXPECT_NE(health.message().en.find("lost its turn to write"), std::string::npos) << health.message().en;
  EXPECT_FALSE(health.message().zh.empty());

  // The lost session's append then fails; the push is not acknowledged, and A, told once
  // why it stopped, still serves nothing of it.
  EXPECT_FALSE(both.push.fail()) << "A's push was acknowledged although its commit failed";
  EXPECT_EQ(served(both.a.service->pull(coordinator("coord.a"), 0, 1000), both.ops), 0u);
  const std::vector<std::string> stops = both.a.stop_reasons();
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_NE(stops[0].find("lost its turn to write"), std::string::npos) << stops[0];
}

}  // namespace
}  // namespace rapidesk::server
