// SQLite storage on temp dirs: migrations, refusal of newer schemas, accounts, tokens at rest.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "rapidesk/server/tokens.h"
#include "test_support.h"

namespace rapidesk::server {
namespace {

using testing::Fixture;
using testing::TempDir;

// Runs SQL against the database file directly, as another program would.
void raw_sql(const std::filesystem::path& db_file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

int raw_count(const std::filesystem::path& db_file, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(db_file.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  int n = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(Migrations, NewDatabaseIsAtLatestVersionAndReopeningChangesNothing) {
  TempDir dir;
  {
    auto s = open_sqlite_storage(dir.path());
    ASSERT_TRUE(s.is_ok()) << s.status().message().en;
    EXPECT_EQ((*s)->schema_version(), latest_schema_version());
    EXPECT_GE(latest_schema_version(), 1);
    ASSERT_TRUE((*s)->add_team({"NORTH", "North", {}}));
  }
  const auto file = dir.path() / kDatabaseFileName;
  const int rows = raw_count(file, "SELECT COUNT(*) FROM schema_version");
  EXPECT_EQ(rows, latest_schema_version());
  for (int i = 0; i < 2; ++i) {
    auto s = open_sqlite_storage(dir.path());
    ASSERT_TRUE(s.is_ok());
    EXPECT_EQ((*s)->schema_version(), latest_schema_version());
    EXPECT_TRUE((*s)->find_team("NORTH").is_ok());  // data survives
  }
  EXPECT_EQ(raw_count(file, "SELECT COUNT(*) FROM schema_version"), rows);
}

TEST(Migrations, UsesWalAndForeignKeys) {
  TempDir dir;
  auto s = open_sqlite_storage(dir.path());
  ASSERT_TRUE(s.is_ok());
  const auto file = dir.path() / kDatabaseFileName;
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  // Foreign keys are enforced: a user in a team that does not exist is refused.
  UserRecord u;
  u.name = "alice";
  u.display_name = "Alice";
  u.team = "NOPE";
  u.password_hash = "x";
  Status st = (*s)->add_user(u);
  EXPECT_EQ(st.code(), ErrorCode::kInvalid);
  EXPECT_NE(st.message().en.find("team add"), std::string::npos) << st.message().en;
}

TEST(Migrations, RefusesADatabaseFromANewerServer) {
  TempDir dir;
  ASSERT_TRUE(open_sqlite_storage(dir.path()).is_ok());
  const int newer = latest_schema_version() + 1;
  raw_sql(dir.path() / kDatabaseFileName,
          "INSERT INTO schema_version (version, name, applied_at) VALUES (" + std::to_string(newer) +
              ", 'from the future', 0)");
  auto s = open_sqlite_storage(dir.path());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(s.status().message().en.find("newer"), std::string::npos) << s.status().message().en;
  EXPECT_NE(s.status().message().en.find(std::to_string(newer)), std::string::npos);
  EXPECT_FALSE(s.status().message().zh.empty());
}

TEST(Migrations, AppliesOnlyWhatIsMissing) {
  TempDir dir;
  // A database at version 0: only the version table exists.
  raw_sql(dir.path() / kDatabaseFileName,
          "CREATE TABLE schema_version (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at "
          "INTEGER NOT NULL)");
  auto s = open_sqlite_storage(dir.path());
  ASSERT_TRUE(s.is_ok()) << s.status().message().en;
  EXPECT_EQ((*s)->schema_version(), latest_schema_version());
}

TEST(Accounts, UsersAndTeams) {
  Fixture f;
  Storage& s = *f.state->storage;
  ASSERT_TRUE(s.add_team({"NORTH", "North", {}}));
  EXPECT_EQ(s.add_team({"NORTH", "Again", {}}).code(), ErrorCode::kConflict);
  UserRecord u;
  u.name = "alice";
  u.display_name = "Alice Wang";
  u.role = Role::kCoordinator;
  u.team = "NORTH";
  u.skills = {"billing", "vpn"};
  u.password_hash = "$argon2id$fake";
  u.created_at = 42;
  ASSERT_TRUE(s.add_user(u));
  EXPECT_EQ(s.add_user(u).code(), ErrorCode::kConflict);
  auto back = s.find_user("alice");
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->display_name, "Alice Wang");
  EXPECT_EQ(back->role, Role::kCoordinator);
  EXPECT_EQ(back->skills, (std::vector<std::string>{"billing", "vpn"}));
  EXPECT_EQ(back->created_at, 42);
  EXPECT_TRUE(back->active);
  EXPECT_EQ(s.find_user("nobody").status().code(), ErrorCode::kNotFound);
  // Team lead must be a user.
  EXPECT_EQ(s.update_team({"NORTH", "North", std::string("ghost")}).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(s.update_team({"NORTH", "North region", std::string("alice")}));
  EXPECT_EQ(s.find_team("NORTH")->lead, std::optional<std::string>("alice"));
  EXPECT_EQ(s.update_team({"SOUTH", "South", {}}).code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.list_users()->size(), 1u);
  EXPECT_EQ(s.list_teams()->size(), 1u);
}

TEST(Tokens, OnlyTheHashIsStoredOnDisk) {
  Fixture f;
  f.add_user("alice", "correct horse");
  const std::string token = f.token_for("alice", "correct horse");
  ASSERT_EQ(token.size(), kTokenChars);
  auto record = f.state->storage->find_token(hash_token(token));
  ASSERT_TRUE(record.is_ok());
  EXPECT_EQ(record->user, "alice");
  // Look at every byte SQLite wrote: the database and its write-ahead log.
  std::string bytes;
  for (const char* suffix : {"", "-wal"}) {
    const auto file = f.dir.path() / (std::string(kDatabaseFileName) + suffix);
    if (std::filesystem::exists(file)) bytes += file_bytes(file);
  }
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(token), std::string::npos) << "raw token found in the database files";
  EXPECT_NE(bytes.find(hash_token(token)), std::string::npos) << "hash not found: did the test read the right files?";
  // Password: only the Argon2id hash is stored.
  EXPECT_EQ(bytes.find("correct horse"), std::string::npos);
}

TEST(Tokens, RevokeAndDisable) {
  Fixture f;
  f.add_user("alice", "pw-alice");
  Storage& s = *f.state->storage;
  ASSERT_TRUE(s.add_token({"h1", "alice", "d1", 1, 2, false}));
  ASSERT_TRUE(s.add_token({"h2", "alice", "d2", 1, 2, false}));
  EXPECT_EQ(s.add_token({"h2", "alice", "d2", 1, 2, false}).code(), ErrorCode::kConflict);
  ASSERT_TRUE(s.revoke_token("h1"));
  EXPECT_TRUE(s.find_token("h1")->revoked);
  EXPECT_FALSE(s.find_token("h2")->revoked);
  EXPECT_EQ(s.revoke_token("nope").code(), ErrorCode::kNotFound);
  ASSERT_TRUE(s.set_user_active("alice", false));
  EXPECT_TRUE(s.find_token("h2")->revoked);
  EXPECT_EQ(s.set_user_active("ghost", false).code(), ErrorCode::kNotFound);
}

TEST(Devices, FirstAndLastSeen) {
  Fixture f;
  f.add_user("alice", "pw-alice");
  Storage& s = *f.state->storage;
  ASSERT_TRUE(s.touch_device("dev-1", "alice", 100));
  ASSERT_TRUE(s.touch_device("dev-1", "alice", 200));
  auto devices = s.list_devices("alice");
  ASSERT_TRUE(devices.is_ok());
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_EQ((*devices)[0].first_seen, 100);
  EXPECT_EQ((*devices)[0].last_seen, 200);
  EXPECT_EQ(s.touch_device("dev-1", "ghost", 1).code(), ErrorCode::kInvalid);
}

}  // namespace
}  // namespace rapidesk::server
