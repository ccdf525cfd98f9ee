// When a group commit or a merge fails midway, the server stops taking changes: every push
// waiting on the failure is answered with an error, none waits for good, /healthz says why,
// and nothing of the failed work is stored or committed later.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <condition_variable>
#include <mutex>
#include <new>
#include <random>
#include <stdexcept>
#include <thread>

#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"
#include "test_support.h"

namespace rapidesk::server {
namespace {

using testing::body_of;
using testing::error_code_of;
using testing::Fixture;
using testing::TempDir;

// A real store whose next sync log write, once armed, holds until released and then throws
// (once: a commit that tried the same write again would reach the disk).
class ThrowingLogStorage final : public Storage {
 public:
  explicit ThrowingLogStorage(std::unique_ptr<Storage> inner) : inner_(std::move(inner)) {}

  // The next append_log waits in the write until release(), then throws.
  void arm() {
    std::lock_guard lock(m_);
    armed_ = true;
  }
  // False if no write began within 20 s.
  bool wait_until_writing() {
    std::unique_lock lock(m_);
    return changed_.wait_for(lock, std::chrono::seconds(20), [&] { return writing_; });
  }
  void release() {
    std::lock_guard lock(m_);
    released_ = true;
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
        writing_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return released_; });
        throw std::runtime_error("disk gone");
      }
    }
    return inner_->append_log(entries, rejected, next_server_op, fired_sla_keys);
  }

  // Everything else goes to the real store.
  int schema_version() const override { return inner_->schema_version(); }
  Status add_team(const TeamRecord& team) override { return inner_->add_team(team); }
  Status update_team(const TeamRecord& team) override { return inner_->update_team(team); }
  Result<TeamRecord> find_team(std::string_view code) override { return inner_->find_team(code); }
  Result<std::vector<TeamRecord>> list_teams() override { return inner_->list_teams(); }
  Status add_user(const UserRecord& user) override { return inner_->add_user(user); }
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

 private:
  std::unique_ptr<Storage> inner_;
  std::mutex m_;
  std::condition_variable changed_;
  bool armed_ = false, writing_ = false, released_ = false;
  int writes_ = 0;
};

// `user` files a new request and pushes it through the endpoint, from a device of its own
// for each `round` (the same device and round would replay the same op ids).
HttpResponse push_new_request(Fixture& f, const std::string& user, const std::string& token, int round) {
  const std::string device = "dev-" + user + "-" + std::to_string(round);
  sync::ClientReplica replica(sync::ClientOptions{device, user, 1}, [] { return testing::kStart; },
                              [state = std::make_shared<std::mt19937_64>(std::hash<std::string>{}(user) + round)] {
                                return (*state)();
                              });
  const std::vector<sync::FieldEdit> intake = {{"customer", sync::Value::string("宁波港口服务")},
                                               {"title", sync::Value::string("扫码枪无法连接 " + user)},
                                               {"category", sync::Value::string("tech_support")},
                                               {"channel", sync::Value::string("visit")},
                                               {"team", sync::Value::string("NORTH")}};
  auto ops = replica.edit("request", replica.new_row_id(), intake);
  EXPECT_TRUE(ops) << ops.status().message().en;
  return f.request("POST", "/api/v1/sync/push", sync::encode_push(device, replica.next_push()),
                   {{"authorization", "Bearer " + token}});
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

TEST(FailStop, EveryPushWaitingOnAThrowingWriteHearsOfItAndNothingIsStored) {
  TempDir data;
  auto opened = open_sqlite_storage(data.path());
  ASSERT_TRUE(opened) << opened.status().message().en;
  auto storage = std::make_unique<ThrowingLogStorage>(std::move(*opened));
  ThrowingLogStorage& faulty = *storage;
  Fixture f(std::move(storage));
  const std::vector<std::string> users = {"lead", "second", "third", "fourth"};
  std::vector<std::string> tokens;
  for (const auto& u : users) {
    f.add_user(u, "correct horse " + u, Role::kCoordinator);
    tokens.push_back(f.token_for(u, "correct horse " + u));
    ASSERT_FALSE(tokens.back().empty());
  }
  // A push that commits normally first: the failure below must not undo it.
  ASSERT_EQ(push_new_request(f, "lead", tokens[0], 1).status, 200);
  const std::uint64_t kept = f.state->sync->durable_cursor();
  ASSERT_GT(kept, 0u);

  faulty.arm();
  const int writes_before = faulty.writes_attempted();
  std::vector<HttpResponse> answers(users.size());
  std::vector<std::thread> pushers;
  std::atomic<size_t> answered{0};
  pushers.emplace_back([&] {
    answers[0] = push_new_request(f, users[0], tokens[0], 2);
    ++answered;
  });
  // The first push leads a commit, held in its write.
  if (!faulty.wait_until_writing()) {
    ADD_FAILURE() << "the push did not commit";
    faulty.release();
  }
  // The others merge one at a time (a push's ops merge at once) and queue behind it.
  for (size_t i = 1; i < users.size(); ++i) {
    const std::uint64_t before = f.state->sync->ops_merged();
    pushers.emplace_back([&, i] {
      answers[i] = push_new_request(f, users[i], tokens[i], 2);
      ++answered;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (f.state->sync->ops_merged() == before && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_GT(f.state->sync->ops_merged(), before) << users[i] << "'s push did not merge";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let them reach the wait for the commit
  faulty.release();
  // A waiter left waiting would hang the suite: give up on the whole run instead.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (answered.load() < users.size()) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "FAILED: %zu of %zu pushes still wait for the failed commit\n", users.size() - answered.load(),
                   users.size());
      std::abort();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& t : pushers) t.join();

  for (size_t i = 0; i < users.size(); ++i) {
    EXPECT_EQ(answers[i].status, 500) << users[i] << ": " << answers[i].body;
    EXPECT_EQ(error_code_of(answers[i]), "internal") << users[i];
  }
  // The queued pushes were not written by another leader after the throw.
  EXPECT_EQ(faulty.writes_attempted(), writes_before + 1);
  EXPECT_EQ(f.state->sync->durable_cursor(), kept);

  // The server says why, and refuses further changes until restarted.
  HttpResponse health = f.request("GET", "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(body_of(health)["status"], "failing");
  EXPECT_NE(body_of(health)["message"].get<std::string>().find("disk gone"), std::string::npos) << health.body;
  EXPECT_NE(f.log.str().find("disk gone"), std::string::npos) << f.log.str();
  expect_refused(f, [&] { return push_new_request(f, "second", tokens[1], 3); });
  EXPECT_EQ(faulty.writes_attempted(), writes_before + 1);

  // Restarted on the same data: the first push is there, none of the failed ones.
  expect_stored_after_restart(f, data, kept);
}

// Automation that, once armed, makes one edit on the newest entry's row and then throws, as
// running out of memory halfway through its work would.
class ThrowingAutomation final : public SyncObserver {
 public:
  void after_push(ServerEdits& edits) override {
    if (!armed) return;
    armed = false;
    const std::string row(edits.log().view(edits.log().size() - 1).op.row);
    EXPECT_EQ(edits.edit("request", row, "sla_state", sync::Value::string("warning")).outcome, sync::Outcome::kApplied);
    throw std::bad_alloc();
  }
  bool armed = false;
};

TEST(FailStop, AMergeThatThrowsStopsChangesAndNothingOfItIsCommitted) {
  TempDir data;
  auto opened = open_sqlite_storage(data.path());
  ASSERT_TRUE(opened) << opened.status().message().en;
  Fixture f(std::move(*opened));
  ThrowingAutomation automation;
  f.state->sync->set_observer(&automation);
  f.add_user("lead", "correct horse battery", Role::kCoordinator);
  const std::string token = f.token_for("lead", "correct horse battery");
  ASSERT_FALSE(token.empty());
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

  HttpResponse health = f.request("GET", "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(body_of(health)["status"], "failing");
  EXPECT_NE(body_of(health)["message"].get<std::string>().find("merging"), std::string::npos) << health.body;
  EXPECT_FALSE(body_of(health)["message_zh"].get<std::string>().empty());
  // The answer hides the fault; the server's log names it.
  EXPECT_EQ(failed.body.find("bad_alloc"), std::string::npos) << failed.body;
  EXPECT_NE(f.log.str().find("\"event\":\"server_fault\""), std::string::npos) << f.log.str();
  EXPECT_NE(f.log.str().find("std::bad_alloc"), std::string::npos) << f.log.str();
  // A later push would have committed the half-merged one with it: it is refused instead.
  expect_refused(f, [&] { return push_new_request(f, "lead", token, 3); });
  EXPECT_EQ(f.state->sync->run_server_task([](ServerEdits&) { return std::vector<std::string>{}; }).code(),
            ErrorCode::kInternal);

  expect_stored_after_restart(f, data, kept);
}

}  // namespace
}  // namespace rapidesk::server
