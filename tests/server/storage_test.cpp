// The storage contract on each backend: migrations, refusal of newer schemas, accounts,
// tokens at rest, the sync log. Built twice: in rapidesk_server_tests against SQLite on temp
// dirs, and with RAPIDESK_TEST_POSTGRES in rapidesk_postgres_storage_tests against a fresh
// schema of the tools/postgres-test-server database per test.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "rapidesk/server/options.h"
#include "rapidesk/server/shared_log.h"
#include "rapidesk/server/tokens.h"
#include "test_stores.h"
#include "test_support.h"

namespace rapidesk::server {
namespace {

using testing::Fixture;
using testing::TestStore;

struct Backend {
  const char* name;
  std::unique_ptr<TestStore> (*make)();
};

void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }

class StorageTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    ASSERT_TRUE(store_->unusable().empty()) << store_->unusable();
  }

  std::unique_ptr<Storage> open() {
    auto s = store_->open();
    EXPECT_TRUE(s.is_ok()) << s.status().message().en;
    return s.is_ok() ? std::move(*s) : nullptr;
  }

  // A server state on this test's store, for tests that sign in.
  std::unique_ptr<Fixture> fixture() {
    auto storage = open();
    return storage ? std::make_unique<Fixture>(std::move(storage)) : nullptr;
  }

  std::unique_ptr<TestStore> store_;
};

UserRecord user_named(const std::string& name, const std::string& team = "NORTH") {
  UserRecord u;
  u.name = name;
  u.display_name = name + " display";
  u.team = team;
  u.password_hash = "$argon2id$fake";
  return u;
}

// Loads the whole log: entries in the order load_sync gives them, rejections, counter.
struct Loaded {
  std::vector<SyncLogRecord> entries;
  std::vector<SyncRejectionRecord> rejections;
  std::uint64_t next_op = 0;
};

Loaded load(Storage& s) {
  Loaded out;
  Status st = s.load_sync([&](SyncLogRecord&& r) { out.entries.push_back(std::move(r)); return Status::ok(); },
                          [&](SyncRejectionRecord&& r) { out.rejections.push_back(std::move(r)); return Status::ok(); },
                          out.next_op);
  EXPECT_TRUE(st) << st.message().en;
  return out;
}

SyncLogRecord entry(std::uint64_t seq, const std::string& row, const std::string& text) {
  return SyncLogRecord{seq, "request", row, R"({"seq":)" + std::to_string(seq) + R"(,"value":")" + text + R"("})"};
}

// ---- migrations ---------------------------------------------------------------------------

TEST_P(StorageTest, NewStoreIsAtLatestVersionAndReopeningChangesNothing) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->schema_version(), latest_schema_version());
    EXPECT_GE(latest_schema_version(), 2);
    ASSERT_TRUE(s->add_team({"NORTH", "North", {}}));
  }
  const long long rows = store_->number("SELECT COUNT(*) FROM schema_version");
  EXPECT_EQ(rows, latest_schema_version());
  EXPECT_EQ(store_->number("SELECT MAX(version) FROM schema_version"), latest_schema_version());
  for (int i = 0; i < 2; ++i) {
    auto s = open();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->schema_version(), latest_schema_version());
    EXPECT_TRUE(s->find_team("NORTH").is_ok());  // data survives
  }
  EXPECT_EQ(store_->number("SELECT COUNT(*) FROM schema_version"), rows);
}

TEST_P(StorageTest, RefusesAStoreFromANewerServer) {
  ASSERT_TRUE(open());
  const int newer = latest_schema_version() + 1;
  store_->exec("INSERT INTO schema_version (version, name, applied_at) VALUES (" + std::to_string(newer) +
               ", 'from the future', 0)");
  auto s = store_->open();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(s.status().message().en.find("newer"), std::string::npos) << s.status().message().en;
  EXPECT_NE(s.status().message().en.find(std::to_string(newer)), std::string::npos);
  EXPECT_FALSE(s.status().message().zh.empty());
  EXPECT_EQ(store_->number("SELECT COUNT(*) FROM schema_version"), latest_schema_version() + 1);
}

TEST_P(StorageTest, AppliesOnlyWhatIsMissing) {
  // A store at version 0: only the version table exists.
  store_->exec(store_->empty_version_table_sql());
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema_version(), latest_schema_version());
  EXPECT_EQ(store_->number("SELECT COUNT(*) FROM schema_version"), latest_schema_version());
  EXPECT_TRUE(s->add_team({"NORTH", "North", {}}));
}

TEST_P(StorageTest, AStoreFromBeforeVersion4LosesTheRowIndexAndKeepsItsLog) {
  const bool sqlite = std::string(GetParam().name) == "sqlite";
  const std::string index_count = sqlite ? "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sync_log_row'"
                                         : "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() "
                                           "AND indexname = 'sync_log_row'";
  {
    auto s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append_sync(std::vector<SyncLogRecord>{entry(1, "r", "one"), entry(2, "r", "two")}, {}, 3, {}));
  }
  EXPECT_EQ(store_->number(index_count), 0);
  // As a version-3 store left it.
  store_->exec("CREATE INDEX sync_log_row ON sync_log (entity, row_id, seq)");
  store_->exec("DROP TABLE sync_log_run");
  store_->exec("DELETE FROM schema_version WHERE version >= 4");
  ASSERT_EQ(store_->number(index_count), 1);
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema_version(), latest_schema_version());
  EXPECT_EQ(store_->number(index_count), 0);
  Loaded l = load(*s);
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[1].entry, entry(2, "r", "two").entry);
  EXPECT_EQ(l.next_op, 3u);
}

TEST_P(StorageTest, OpenersRacingOnANewStoreMigrateItOnce) {
  // The server and an admin command starting together on an empty store.
  std::vector<Result<std::unique_ptr<Storage>>> opened;
  for (int i = 0; i < 4; ++i) opened.emplace_back(Status(ErrorCode::kInternal, Text{"not run", "未运行"}));
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&, i] { opened[i] = store_->open(); });
  for (auto& t : threads) t.join();
  for (auto& s : opened) {
    ASSERT_TRUE(s.is_ok()) << s.status().message().en;
    EXPECT_EQ((*s)->schema_version(), latest_schema_version());
  }
  EXPECT_EQ(store_->number("SELECT COUNT(*) FROM schema_version"), latest_schema_version());
}

// ---- accounts -----------------------------------------------------------------------------

TEST_P(StorageTest, UsersAndTeams) {
  auto store = open();
  ASSERT_TRUE(store);
  Storage& s = *store;
  ASSERT_TRUE(s.add_team({"NORTH", "North", {}}));
  EXPECT_EQ(s.add_team({"NORTH", "Again", {}}).code(), ErrorCode::kConflict);
  UserRecord u;
  u.name = "alice";
  u.display_name = "Alice Wang 王丽";
  u.role = Role::kCoordinator;
  u.team = "NORTH";
  u.skills = {"billing", "vpn"};
  u.password_hash = "$argon2id$fake";
  u.created_at = 1'795'000'000'123;
  ASSERT_TRUE(s.add_user(u));
  EXPECT_EQ(s.add_user(u).code(), ErrorCode::kConflict);
  auto back = s.find_user("alice");
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->display_name, "Alice Wang 王丽");
  EXPECT_EQ(back->role, Role::kCoordinator);
  EXPECT_EQ(back->skills, (std::vector<std::string>{"billing", "vpn"}));
  EXPECT_EQ(back->created_at, 1'795'000'000'123);
  EXPECT_TRUE(back->active);
  EXPECT_EQ(s.find_user("nobody").status().code(), ErrorCode::kNotFound);
  // Team lead must be a user.
  EXPECT_EQ(s.update_team({"NORTH", "North", std::string("ghost")}).code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.add_team({"SOUTH", "South", std::string("ghost")}).code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.find_team("SOUTH").status().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(s.update_team({"NORTH", "North region", std::string("alice")}));
  EXPECT_EQ(s.find_team("NORTH")->lead, std::optional<std::string>("alice"));
  EXPECT_EQ(s.find_team("NORTH")->name, "North region");
  EXPECT_EQ(s.update_team({"SOUTH", "South", {}}).code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.list_users()->size(), 1u);
  EXPECT_EQ(s.list_teams()->size(), 1u);
}

TEST_P(StorageTest, AUserNeedsAnExistingTeam) {
  auto s = open();
  ASSERT_TRUE(s);
  Status st = s->add_user(user_named("alice", "NOPE"));
  EXPECT_EQ(st.code(), ErrorCode::kInvalid);
  EXPECT_NE(st.message().en.find("team add"), std::string::npos) << st.message().en;
  EXPECT_EQ(s->find_user("alice").status().code(), ErrorCode::kNotFound);
}

TEST_P(StorageTest, AddingAUserWithItsTeamIsOneTransaction) {
  auto s = open();
  ASSERT_TRUE(s);
  auto created = s->add_user_and_team(user_named("alice", "EAST"));
  ASSERT_TRUE(created.is_ok()) << created.status().message().en;
  EXPECT_TRUE(*created);
  EXPECT_EQ(s->find_team("EAST")->name, "EAST");
  created = s->add_user_and_team(user_named("bob", "EAST"));
  ASSERT_TRUE(created.is_ok());
  EXPECT_FALSE(*created) << "the team exists now";
  // A refused user leaves no new team behind.
  created = s->add_user_and_team(user_named("alice", "WEST"));
  EXPECT_EQ(created.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(s->find_team("WEST").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(s->find_user("alice")->team, "EAST");
}

TEST_P(StorageTest, ListsAreInByteOrderOfTheirKeys) {
  auto s = open();
  ASSERT_TRUE(s);
  // A locale-aware collation would put "ab" before "a_c" and mix upper and lower case.
  for (const char* code : {"ZZ", "B2", "A9", "AA", "9Z"}) ASSERT_TRUE(s->add_team({code, code, {}}));
  for (const char* name : {"ab", "a_c", "a.d", "a-e", "Zed", "zed"}) ASSERT_TRUE(s->add_user(user_named(name, "AA")));
  auto teams = s->list_teams();
  ASSERT_TRUE(teams.is_ok());
  std::vector<std::string> codes;
  for (const auto& t : *teams) codes.push_back(t.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"9Z", "A9", "AA", "B2", "ZZ"}));
  auto users = s->list_users();
  ASSERT_TRUE(users.is_ok());
  std::vector<std::string> names;
  for (const auto& u : *users) names.push_back(u.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Zed", "a-e", "a.d", "a_c", "ab", "zed"}));
  for (const char* device : {"dev-b", "dev-B", "dev-a"}) ASSERT_TRUE(s->touch_device(device, "ab", 1));
  auto devices = s->list_devices("ab");
  ASSERT_TRUE(devices.is_ok());
  std::vector<std::string> ids;
  for (const auto& d : *devices) ids.push_back(d.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"dev-B", "dev-a", "dev-b"}));
}

TEST_P(StorageTest, PasswordsAndDisabling) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->add_team({"NORTH", "North", {}}));
  ASSERT_TRUE(s->add_user(user_named("alice")));
  ASSERT_TRUE(s->set_password_hash("alice", "$argon2id$new"));
  EXPECT_EQ(s->find_user("alice")->password_hash, "$argon2id$new");
  EXPECT_EQ(s->set_password_hash("ghost", "x").code(), ErrorCode::kNotFound);
  ASSERT_TRUE(s->set_user_active("alice", false));
  EXPECT_FALSE(s->find_user("alice")->active);
  ASSERT_TRUE(s->set_user_active("alice", true));
  EXPECT_TRUE(s->find_user("alice")->active);
}

// ---- tokens and devices -------------------------------------------------------------------

TEST_P(StorageTest, OnlyTheTokenHashIsStored) {
  auto f = fixture();
  ASSERT_TRUE(f);
  f->add_user("alice", "correct horse");
  const std::string token = f->token_for("alice", "correct horse");
  ASSERT_EQ(token.size(), kTokenChars);
  auto record = f->state->storage->find_token(hash_token(token));
  ASSERT_TRUE(record.is_ok());
  EXPECT_EQ(record->user, "alice");
  // Look at every byte the backend keeps.
  const std::string bytes = store_->stored_bytes();
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(token), std::string::npos) << "raw token found in the store";
  EXPECT_NE(bytes.find(hash_token(token)), std::string::npos) << "hash not found: did the test read the right data?";
  // Password: only the Argon2id hash is stored.
  EXPECT_EQ(bytes.find("correct horse"), std::string::npos);
}

TEST_P(StorageTest, RevokeAndDisable) {
  auto store = open();
  ASSERT_TRUE(store);
  Storage& s = *store;
  ASSERT_TRUE(s.add_team({"NORTH", "North", {}}));
  ASSERT_TRUE(s.add_user(user_named("alice")));
  ASSERT_TRUE(s.add_user(user_named("bob")));
  ASSERT_TRUE(s.add_token({"h1", "alice", "d1", 1, 2, false}));
  ASSERT_TRUE(s.add_token({"h2", "alice", "d2", 1, 2, false}));
  ASSERT_TRUE(s.add_token({"h3", "bob", "d3", 1'795'000'000'000, 1'797'592'000'000, false}));
  EXPECT_EQ(s.add_token({"h2", "alice", "d2", 1, 2, false}).code(), ErrorCode::kConflict);
  EXPECT_EQ(s.add_token({"h4", "ghost", "d4", 1, 2, false}).code(), ErrorCode::kInvalid);
  ASSERT_TRUE(s.revoke_token("h1"));
  EXPECT_TRUE(s.find_token("h1")->revoked);
  EXPECT_FALSE(s.find_token("h2")->revoked);
  EXPECT_EQ(s.find_token("h3")->expires_at, 1'797'592'000'000);
  EXPECT_EQ(s.find_token("h3")->device, "d3");
  EXPECT_EQ(s.revoke_token("nope").code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.find_token("nope").status().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(s.set_user_active("alice", false));
  EXPECT_TRUE(s.find_token("h2")->revoked);
  EXPECT_FALSE(s.find_token("h3")->revoked);  // only alice's
  EXPECT_EQ(s.set_user_active("ghost", false).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(s.revoke_user_tokens("bob"));
  EXPECT_TRUE(s.find_token("h3")->revoked);
  EXPECT_TRUE(s.revoke_user_tokens("ghost"));
}

// Token and user lookups run on every request from statements kept for reuse; none may
// keep its read open afterwards, found or not, or checkpoints could never empty the WAL.
TEST_P(StorageTest, LookupsLeaveNoReadOpen) {
  if (std::string(GetParam().name) != "sqlite") GTEST_SKIP() << "about SQLite's write-ahead log";
  auto store = open();
  ASSERT_TRUE(store);
  Storage& s = *store;
  ASSERT_TRUE(s.add_team({"NORTH", "North", {}}));
  ASSERT_TRUE(s.add_user(user_named("alice")));
  ASSERT_TRUE(s.add_token({"h1", "alice", "d1", 1, 2, false}));
  EXPECT_EQ(s.find_token("nope").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.find_user("ghost").status().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(s.find_token("h1").is_ok());  // found last: a row read, the run not finished
  ASSERT_TRUE(s.find_user("alice").is_ok());
  // busy = 0: no reader holds the WAL, so it could be checkpointed and truncated.
  EXPECT_EQ(store_->number("PRAGMA wal_checkpoint(TRUNCATE)"), 0);
  // The statements run again and see what changed in between.
  ASSERT_TRUE(s.revoke_token("h1"));
  EXPECT_TRUE(s.find_token("h1")->revoked);
  EXPECT_EQ(s.find_user("alice")->display_name, "alice display");
}

TEST_P(StorageTest, DevicesKeepFirstAndLastSeen) {
  auto store = open();
  ASSERT_TRUE(store);
  Storage& s = *store;
  ASSERT_TRUE(s.add_team({"NORTH", "North", {}}));
  ASSERT_TRUE(s.add_user(user_named("alice")));
  ASSERT_TRUE(s.touch_device("dev-1", "alice", 100));
  ASSERT_TRUE(s.touch_device("dev-1", "alice", 200));
  auto devices = s.list_devices("alice");
  ASSERT_TRUE(devices.is_ok());
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_EQ((*devices)[0].first_seen, 100);
  EXPECT_EQ((*devices)[0].last_seen, 200);
  EXPECT_EQ((*devices)[0].user, "alice");
  EXPECT_EQ(s.touch_device("dev-1", "ghost", 1).code(), ErrorCode::kInvalid);
  EXPECT_TRUE(s.list_devices("ghost")->empty());
}

TEST_P(StorageTest, ConcurrentCallersAllGetThrough) {
  auto store = open();
  ASSERT_TRUE(store);
  Storage& s = *store;
  ASSERT_TRUE(s.add_team({"NORTH", "North", {}}));
  ASSERT_TRUE(s.add_user(user_named("alice")));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string hash = std::to_string(t * 1000 + i);
        if (!s.add_token({hash, "alice", "d", 1, 2, false}) || !s.find_token(hash)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->number("SELECT COUNT(*) FROM tokens"), 100);
}

// ---- the sync log -------------------------------------------------------------------------

TEST_P(StorageTest, EmptyLogLoadsNothingAndCounterOne) {
  auto s = open();
  ASSERT_TRUE(s);
  Loaded l = load(*s);
  EXPECT_TRUE(l.entries.empty());
  EXPECT_TRUE(l.rejections.empty());
  EXPECT_EQ(l.next_op, 1u);
  EXPECT_TRUE(s->load_sla_fired()->empty());
}

TEST_P(StorageTest, AppendedEntriesLoadInSeqOrderAndSurviveReopening) {
  // Texts that a bulk loader must escape: tabs, newlines, backslashes, quotes, Chinese.
  const std::vector<std::string> texts = {"plain", "tab\there", "line\nbreak", R"(back\\slash \"quoted\")",
                                          "客户反馈：扫码枪无法连接", "\\N", "carriage\rreturn"};
  {
    auto s = open();
    ASSERT_TRUE(s);
    std::vector<SyncLogRecord> first;
    for (std::uint64_t seq = 1; seq <= texts.size(); ++seq) first.push_back(entry(seq, "row-" + std::to_string(seq % 3), texts[seq - 1]));
    const std::vector<SyncRejectionRecord> rejected = {{"op-1", R"({"results":[{"op":"op-1","code":"invalid"}]})"}};
    const std::vector<std::string> fired = {"req-1:first_response:breach"};
    ASSERT_TRUE(s->append_sync(first, rejected, 20, fired));
    // A second batch, given out of seq order, and a replayed rejection and fired key.
    const std::vector<SyncLogRecord> second = {entry(10, "row-x", "ten"), entry(8, "row-y", "eight"),
                                               entry(9, "row-x", "nine")};
    const std::vector<SyncRejectionRecord> again = {{"op-1", "ignored: the first answer stays"},
                                                    {"op-2", R"({"results":[]})"}};
    const std::vector<std::string> fired_again = {"req-1:first_response:breach", "req-2:resolution:warning"};
    ASSERT_TRUE(s->append_sync(second, again, 21, fired_again));
  }
  auto s = open();  // what a restarted server reads
  ASSERT_TRUE(s);
  Loaded l = load(*s);
  ASSERT_EQ(l.entries.size(), texts.size() + 3);
  for (size_t i = 0; i < l.entries.size(); ++i) EXPECT_EQ(l.entries[i].seq, i + 1);
  for (size_t i = 0; i < texts.size(); ++i) {
    const SyncLogRecord expected = entry(i + 1, "row-" + std::to_string((i + 1) % 3), texts[i]);
    EXPECT_EQ(l.entries[i].entry, expected.entry) << "entry " << i + 1;
    EXPECT_EQ(l.entries[i].row, expected.row);
    EXPECT_EQ(l.entries[i].entity, "request");
  }
  EXPECT_EQ(l.entries[8].entry, entry(9, "row-x", "nine").entry);
  EXPECT_EQ(l.next_op, 21u);
  ASSERT_EQ(l.rejections.size(), 2u);
  std::sort(l.rejections.begin(), l.rejections.end(), [](auto& a, auto& b) { return a.op_id < b.op_id; });
  EXPECT_EQ(l.rejections[0].result, R"({"results":[{"op":"op-1","code":"invalid"}]})");
  EXPECT_EQ(l.rejections[1].op_id, "op-2");
  auto fired = s->load_sla_fired();
  ASSERT_TRUE(fired.is_ok());
  std::sort(fired->begin(), fired->end());
  EXPECT_EQ(*fired, (std::vector<std::string>{"req-1:first_response:breach", "req-2:resolution:warning"}));
}

TEST_P(StorageTest, AFailedAppendWritesNothing) {
  auto s = open();
  ASSERT_TRUE(s);
  const std::vector<SyncLogRecord> first = {entry(1, "r", "one"), entry(2, "r", "two")};
  ASSERT_TRUE(s->append_sync(first, {}, 3, {}));
  // seq 2 again: the whole batch, its rejection, fired key and counter must be refused.
  const std::vector<SyncLogRecord> clash = {entry(3, "r", "three"), entry(2, "r", "two again")};
  const std::vector<SyncRejectionRecord> rejected = {{"op-9", "{}"}};
  const std::vector<std::string> fired = {"req-9:resolution:breach"};
  Status st = s->append_sync(clash, rejected, 4, fired);
  EXPECT_EQ(st.code(), ErrorCode::kConflict) << st.message().en;
  Loaded l = load(*s);
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[1].entry, entry(2, "r", "two").entry);
  EXPECT_TRUE(l.rejections.empty());
  EXPECT_EQ(l.next_op, 3u);
  EXPECT_TRUE(s->load_sla_fired()->empty());
  // The store still takes the next good batch.
  const std::vector<SyncLogRecord> next = {entry(3, "r", "three")};
  EXPECT_TRUE(s->append_sync(next, {}, 4, {}));
  EXPECT_EQ(load(*s).entries.size(), 3u);
}

TEST_P(StorageTest, ALargeGroupCommitLoadsWhole) {
  auto s = open();
  ASSERT_TRUE(s);
  std::vector<SyncLogRecord> batch;
  for (std::uint64_t seq = 1; seq <= 5000; ++seq) batch.push_back(entry(seq, "row-" + std::to_string(seq % 97), std::string(seq % 50, 'x')));
  ASSERT_TRUE(s->append_sync(batch, {}, 5001, {}));
  Loaded l = load(*s);
  ASSERT_EQ(l.entries.size(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    if (l.entries[i].seq != batch[i].seq || l.entries[i].entry != batch[i].entry) {
      ADD_FAILURE() << "entry " << i << " differs";
      break;
    }
  }
  EXPECT_EQ(l.next_op, 5001u);
}

TEST_P(StorageTest, LoadStopsAtTheFirstCallbackError) {
  auto s = open();
  ASSERT_TRUE(s);
  std::vector<SyncLogRecord> batch;
  for (std::uint64_t seq = 1; seq <= 10; ++seq) batch.push_back(entry(seq, "r", "v"));
  ASSERT_TRUE(s->append_sync(batch, {}, 11, {}));
  int seen = 0;
  std::uint64_t next = 0;
  Status st = s->load_sync(
      [&](SyncLogRecord&&) { return ++seen == 4 ? Status::corrupt(Text{"stop", "停"}) : Status::ok(); },
      [](SyncRejectionRecord&&) { return Status::ok(); }, next);
  EXPECT_EQ(st.code(), ErrorCode::kCorrupt);
  EXPECT_EQ(seen, 4);
  // The store is still usable afterwards.
  EXPECT_EQ(load(*s).entries.size(), 10u);
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) { return info.param.name; }

#if RAPIDESK_TEST_POSTGRES

INSTANTIATE_TEST_SUITE_P(Postgres, StorageTest, ::testing::Values(Backend{"postgres", &testing::make_postgres_store}),
                         backend_name);

// ---- PostgreSQL only ----------------------------------------------------------------------

TEST(PostgresStorage, AnUnreachableServerIsUnavailableAndThePasswordStaysOut) {
  auto s = open_postgres_storage("postgresql://rapidesk:s3cret-pw@127.0.0.1:1/rapidesk?connect_timeout=2");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(s.status().message().en.find("127.0.0.1"), std::string::npos) << s.status().message().en;
  EXPECT_EQ(s.status().message().en.find("s3cret-pw"), std::string::npos) << s.status().message().en;
  EXPECT_EQ(s.status().message().zh.find("s3cret-pw"), std::string::npos);
}

TEST(PostgresStorage, NeedsASchemaOnTheSearchPath) {
  auto store = testing::make_postgres_store();
  ASSERT_TRUE(store->unusable().empty()) << store->unusable();
  auto s = open_postgres_storage(testing::url_with_schema(testing::test_postgres_url(), "no_such_schema_here"));
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalid);
  EXPECT_NE(s.status().message().en.find("search_path"), std::string::npos) << s.status().message().en;
}

TEST(PostgresStorage, TextPostgresCannotHoldIsRefusedAndNothingIsWritten) {
  auto store = testing::make_postgres_store();
  ASSERT_TRUE(store->unusable().empty()) << store->unusable();
  auto s = store->open();
  ASSERT_TRUE(s.is_ok()) << s.status().message().en;
  EXPECT_EQ((*s)->add_team({"NORTH", std::string("No\0rth", 6), {}}).code(), ErrorCode::kInvalid);
  EXPECT_EQ((*s)->add_team({"NORTH", "bad \xff byte", {}}).code(), ErrorCode::kInvalid);
  EXPECT_TRUE((*s)->list_teams()->empty());
  ASSERT_TRUE((*s)->add_team({"NORTH", "North", {}}));
  ASSERT_TRUE((*s)->add_user(user_named("alice")));
  // A key PostgreSQL could not have stored names nothing (and never a truncated match).
  EXPECT_EQ((*s)->find_user(std::string("alice\0x", 7)).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ((*s)->find_team("NO\xffRTH").status().code(), ErrorCode::kNotFound);
  const std::vector<SyncLogRecord> bad = {entry(1, "r", "ok"), SyncLogRecord{2, "request", "r", std::string("a\0b", 3)}};
  EXPECT_EQ((*s)->append_sync(bad, {}, 3, {}).code(), ErrorCode::kInvalid);
  EXPECT_TRUE(load(**s).entries.empty());
}

TEST(PostgresStorage, ALostConnectionFailsOneCallAndTheNextReconnects) {
  auto store = testing::make_postgres_store();
  ASSERT_TRUE(store->unusable().empty()) << store->unusable();
  auto s = store->open();
  ASSERT_TRUE(s.is_ok()) << s.status().message().en;
  ASSERT_TRUE((*s)->add_team({"NORTH", "North", {}}));
  // Another session ends the storage's connection (named after the test's schema), as a
  // restart of PostgreSQL would, and waits until it is gone.
  const std::string mine = "application_name = '" + testing::postgres_store_application_name(*store) + "'";
  store->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE " + mine);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (store->number("SELECT COUNT(*) FROM pg_stat_activity WHERE " + mine) != 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto first = (*s)->find_team("NORTH");
  ASSERT_FALSE(first.is_ok());
  EXPECT_EQ(first.status().code(), ErrorCode::kUnavailable) << first.status().message().en;
  auto second = (*s)->find_team("NORTH");
  ASSERT_TRUE(second.is_ok()) << second.status().message().en;
  EXPECT_EQ(second->name, "North");
}

// A login role of the test server with a name of its own, dropped with its privileges when
// the test ends (roles belong to the whole server, not to the test's schema).
class TestRole {
 public:
  explicit TestRole(TestStore& store) : store_(store) {
    std::random_device rd;
    name_ = "rapidesk_role_" + std::to_string(rd()) + "_" + std::to_string(rd());
    store_.exec("CREATE ROLE " + name_ + " LOGIN PASSWORD '" + password() + "'");
  }
  ~TestRole() { store_.exec("DROP OWNED BY " + name_ + "; DROP ROLE " + name_); }
  TestRole(const TestRole&) = delete;
  TestRole& operator=(const TestRole&) = delete;

  const std::string& name() const { return name_; }
  std::string password() const { return "pw-" + name_; }
  // The store's URL, signed in as this role (libpq: a later parameter wins).
  std::string url(const std::string& schema) const {
    return testing::url_with_schema(testing::test_postgres_url(), schema) + "&user=" + name_ +
           "&password=" + password() + "&application_name=" + name_;
  }

 private:
  TestStore& store_;
  std::string name_;
};

// After the first start the server needs no CREATE (docs/server.md, "Connection"): a role
// with USAGE on the schema, SELECT, INSERT, UPDATE on its tables and USAGE on its sequences
// (sync_rejected.ord takes nextval) opens the store and appends, refusals included, both as
// a server alone and as one of several (the writer lease, announced appends, catch-up).
TEST(PostgresStorage, ARoleWithoutCreateOpensTheStoreAndAppendsTheSyncLog) {
  auto store = testing::make_postgres_store();
  ASSERT_TRUE(store->unusable().empty()) << store->unusable();
  {
    auto first_start = store->open();  // the migrations, as the schema's owner
    ASSERT_TRUE(first_start.is_ok()) << first_start.status().message().en;
  }
  const std::string schema = testing::postgres_store_schema(*store);
  TestRole role(*store);
  store->exec("GRANT USAGE ON SCHEMA " + schema + " TO " + role.name() + ";" +
              "GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA " + schema + " TO " + role.name() + ";" +
              "GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role.name());
  {
    auto s = open_postgres_storage(role.url(schema));
    ASSERT_TRUE(s.is_ok()) << s.status().message().en;
    EXPECT_EQ((*s)->schema_version(), store->number("SELECT MAX(version) FROM schema_version"));
    ASSERT_TRUE((*s)->add_team({"NORTH", "North", {}}));

    const std::vector<SyncLogRecord> alone = {entry(1, "r1", "first")};
    const std::vector<SyncRejectionRecord> refused = {{"dev-a:1", R"({"refused":1})"}};
    const Status appended = (*s)->append_sync(alone, refused, 5, {});
    EXPECT_TRUE(appended) << appended.message().en;

    SharedLog* shared = (*s)->shared_log();
    ASSERT_NE(shared, nullptr);
    const Status lease = shared->acquire_writer();
    ASSERT_TRUE(lease) << lease.message().en;
    const std::vector<SyncLogRecord> several = {entry(2, "r2", "second")};
    const std::vector<SyncRejectionRecord> refused_too = {{"dev-b:1", R"({"refused":2})"}};
    const std::vector<std::string> fired = {"r2/first_response/breach"};
    const Status announced = shared->append_announced(several, refused_too, 6, fired);
    shared->release_writer();
    EXPECT_TRUE(announced) << announced.message().en;

    LogPosition from;
    std::vector<std::uint64_t> seqs;
    std::vector<std::string> refusals;
    std::uint64_t counter = 0;
    const Status read = shared->read_since(
        from, LogReader{[&](SyncLogRecord&& r) {
                          seqs.push_back(r.seq);
                          return Status::ok();
                        },
                        [&](SyncRejectionRecord&& r) {
                          refusals.push_back(r.op_id);
                          return Status::ok();
                        },
                        [&](std::uint64_t next) { counter = next; }});
    EXPECT_TRUE(read) << read.message().en;
    EXPECT_EQ(seqs, (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(refusals, (std::vector<std::string>{"dev-a:1", "dev-b:1"}));
    EXPECT_EQ(counter, 6u);
  }
  // The role could not have created anything: every table is still the owner's.
  EXPECT_EQ(store->number("SELECT COUNT(*) FROM pg_tables WHERE schemaname = '" + schema + "' AND tableowner = '" +
                          role.name() + "'"),
            0);
}

// The SLA fire guard asks the leader lock whether this server still leads. Once the lock's
// session is gone the answer is no, even with the lock free again: the check never takes it.
// Taking the lead is hold()'s, called by the leadership loop, which then rebuilds the SLA
// clocks from the log and the ledger of fired events; a lock retaken by the check would fire
// without that rebuild, twice what another server fired meanwhile.
TEST(PostgresStorage, TheLeaderLockCheckNeverTakesTheLock) {
  auto store = testing::make_postgres_store();
  ASSERT_TRUE(store->unusable().empty()) << store->unusable();
  auto s = store->open();
  ASSERT_TRUE(s.is_ok()) << s.status().message().en;
  SharedLog* shared = (*s)->shared_log();
  ASSERT_NE(shared, nullptr);
  std::unique_ptr<LeaderLock> lock = shared->leader_lock();
  ASSERT_TRUE(lock != nullptr);
  // Advisory locks held by this store's sessions (they are named after its schema); it
  // takes no writer lease here, so only the leader lock counts.
  const std::string held_here = "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = "
                                "'advisory' AND l.granted AND a.application_name = '" +
                                testing::postgres_store_application_name(*store) + "'";

  EXPECT_FALSE(lock->still_held());  // never taken
  EXPECT_EQ(store->number("SELECT COUNT(*) " + held_here), 0);
  ASSERT_TRUE(lock->hold());
  EXPECT_TRUE(lock->still_held());
  ASSERT_EQ(store->number("SELECT COUNT(*) " + held_here), 1);

  // The database ends the leader's session (as after a network partition), and the lock
  // goes with it: wait until it is free.
  store->exec("SELECT pg_terminate_backend(l.pid) " + held_here);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (store->number("SELECT COUNT(*) " + held_here) != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(store->number("SELECT COUNT(*) " + held_here), 0);

  EXPECT_FALSE(lock->still_held());
  EXPECT_FALSE(lock->still_held());  // asked again: no new session took the free lock
  EXPECT_EQ(store->number("SELECT COUNT(*) " + held_here), 0);
  // hold() does take it, on a new session.
  EXPECT_TRUE(lock->hold());
  EXPECT_TRUE(lock->still_held());
  EXPECT_EQ(store->number("SELECT COUNT(*) " + held_here), 1);
  lock->release();
  EXPECT_FALSE(lock->still_held());
}

#else

std::unique_ptr<TestStore> make_sqlite_store() { return std::make_unique<testing::SqliteTestStore>(); }

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageTest, ::testing::Values(Backend{"sqlite", &make_sqlite_store}), backend_name);

// ---- SQLite only --------------------------------------------------------------------------

TEST(SqliteStorage, UsesWalAndKeepsTheFilePrivate) {
  testing::SqliteTestStore store;
  auto s = store.open();
  ASSERT_TRUE(s.is_ok());
  sqlite3* db = nullptr;
  sqlite3_open(store.file().c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  const auto perms = std::filesystem::status(store.file()).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);
}


// ---- choosing the backend -----------------------------------------------------------------

TEST(OpenStorage, PicksTheBackendFromTheDatabaseSetting) {
  EXPECT_TRUE(is_postgres_url("postgresql://u@h/db"));
  EXPECT_TRUE(is_postgres_url("postgres://u@h/db"));
  EXPECT_FALSE(is_postgres_url("sqlite:///tmp/x"));
  EXPECT_FALSE(is_postgres_url(""));
  testing::TempDir dir;
  auto sqlite = open_storage(dir.path(), "");
  ASSERT_TRUE(sqlite.is_ok());
  EXPECT_TRUE(std::filesystem::exists(dir.path() / kDatabaseFileName));
  auto bad = open_storage(dir.path(), "mysql://u:pw@h/db");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalid);
  EXPECT_NE(bad.status().message().en.find("postgresql://"), std::string::npos);
  EXPECT_EQ(bad.status().message().en.find(":pw@"), std::string::npos);
}

TEST(OpenStorage, DatabaseComesFromTheFlagOrTheConfigFile) {
  auto cl = parse_command_line({"--database", "postgresql://rapidesk@db/rapidesk", "user", "list"});
  ASSERT_TRUE(cl.is_ok()) << cl.status().message().en;
  EXPECT_EQ(cl->config.database, "postgresql://rapidesk@db/rapidesk");
  EXPECT_EQ(cl->admin_args, (std::vector<std::string>{"user", "list"}));
  auto bad = parse_command_line({"--database", "db.example:5432"});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalid);
  EXPECT_NE(bad.status().message().en.find("--database"), std::string::npos) << bad.status().message().en;
  ServerConfig config;
  ASSERT_TRUE(apply_config_json(nlohmann::json{{"database", "postgres://h/db"}}, config));
  EXPECT_EQ(config.database, "postgres://h/db");
  Status refused = apply_config_json(nlohmann::json{{"database", "file.db"}}, config);
  EXPECT_EQ(refused.code(), ErrorCode::kInvalid);
  EXPECT_EQ(config.database, "postgres://h/db");  // unchanged
}

TEST(OpenStorage, RedactsPasswordsFromDatabaseUrls) {
  EXPECT_EQ(redacted_database_url("postgresql://rapidesk:secret@db:5432/rapidesk"),
            "postgresql://rapidesk:***@db:5432/rapidesk");
  EXPECT_EQ(redacted_database_url("postgresql://rapidesk@db/rapidesk?password=secret&sslmode=require"),
            "postgresql://rapidesk@db/rapidesk?password=***&sslmode=require");
  EXPECT_EQ(redacted_database_url("postgresql://db/rapidesk"), "postgresql://db/rapidesk");
  EXPECT_EQ(redacted_database_url("postgres://u:p@ss@db/x"), "postgres://u:***@db/x");
}

#endif

}  // namespace
}  // namespace rapidesk::server
