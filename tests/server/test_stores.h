// One fresh, empty store per test on either storage backend, so the same storage tests run
// against SQLite (rapidesk_server_tests, label server) and PostgreSQL
// (rapidesk_postgres_storage_tests, label postgres). Raw SQL reaches the store as another
// program would, for tests that tamper with it as an older or newer server might.
#pragma once

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "rapidesk/server/storage.h"
#include "test_support.h"

namespace rapidesk::server::testing {

class TestStore {
 public:
  virtual ~TestStore() = default;
  // Empty when the store is usable, else why not (the test fails with it).
  virtual std::string unusable() const { return {}; }
  // Opens (again) the same store.
  virtual Result<std::unique_ptr<Storage>> open() = 0;
  // Runs statements that return no rows; a failure fails the test.
  virtual void exec(const std::string& sql) = 0;
  // The first column of the first row of `sql` as a number (-1 if there is none).
  virtual long long number(const std::string& sql) = 0;
  // Every byte the backend keeps for this store that a reader of its files or tables sees.
  virtual std::string stored_bytes() = 0;
  // A schema_version table as a server of schema version 0 left it.
  virtual std::string empty_version_table_sql() const = 0;
  // Blobs, the SLA policy and (for SQLite) the database live here.
  const std::filesystem::path& data_dir() const { return dir_.path(); }

 private:
  TempDir dir_;
};

inline std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class SqliteTestStore final : public TestStore {
 public:
  Result<std::unique_ptr<Storage>> open() override { return open_sqlite_storage(data_dir()); }

  void exec(const std::string& sql) override {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  long long number(const std::string& sql) override {
    sqlite3* db = nullptr;
    sqlite3_open(file().c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    long long n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

  // The database file and its write-ahead log.
  std::string stored_bytes() override {
    std::string bytes;
    for (const char* suffix : {"", "-wal"}) {
      const auto f = data_dir() / (std::string(kDatabaseFileName) + suffix);
      if (std::filesystem::exists(f)) bytes += file_bytes(f);
    }
    return bytes;
  }

  std::string empty_version_table_sql() const override {
    return "CREATE TABLE schema_version (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at "
           "INTEGER NOT NULL)";
  }

  std::filesystem::path file() const { return data_dir() / kDatabaseFileName; }
};

// A fresh schema in the test server's database (postgres_test_store.cpp), dropped afterwards.
std::unique_ptr<TestStore> make_postgres_store();
// The URL of the test server's database: $RAPIDESK_TEST_PG_URL or the tools/postgres-test-server default.
std::string test_postgres_url();
// `base` with search_path set to `schema` (libpq's options parameter).
std::string url_with_schema(const std::string& base, const std::string& schema);
// The application_name the storage a postgres store opens connects with (one per store).
std::string postgres_store_application_name(const TestStore& store);
// The schema of a postgres store (its tables, and the key of its advisory locks).
std::string postgres_store_schema(const TestStore& store);

}  // namespace rapidesk::server::testing
