// A thin RAII layer over the SQLite C API, shared by the server's SQLite storage and the
// client's local replica (the only two places that open SQLite). Not thread-safe: each
// owner serialises access to its Database.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <sqlite3.h>

#include "rapidesk/shared/status.h"

namespace rapidesk::sqlite {

// Maps the connection's last error to a Status: unique/primary-key violations kConflict,
// foreign-key and check violations kInvalid, corruption kCorrupt, the rest kIo. The English
// and Chinese messages both carry `what` and SQLite's own message.
Status error_status(sqlite3* db, int rc, std::string_view what);

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, const std::optional<std::string>& text);  // nullopt binds NULL
  Statement& bind_blob(int index, std::string_view bytes);
  // Binds `bytes` without copying them (SQLITE_STATIC): for large values, such as a group
  // commit's log run. REQUIRES: they stay valid until the statement has run and is reset.
  Statement& bind_blob_ref(int index, std::string_view bytes);

  // true: a row is ready; false: done. Errors as error_status().
  Result<bool> step();
  // Steps to completion, expecting no rows; then resets, so the statement can run again.
  Status run();
  // Ends the current run (rows not yet read are dropped) so the statement can be bound
  // and stepped again; bindings are kept until rebound.
  Statement& reset();

  std::string text(int column) const;  // 0-based; NULL reads as ""; a BLOB as its bytes
  std::int64_t integer(int column) const;
  bool is_null(int column) const;
  bool is_integer(int column) const;
  int column_count() const;
  std::string column_name(int column) const;
  // Rows changed by the last run() on this connection.
  int changes() const { return sqlite3_changes(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  // Opens or creates `file` and applies the pragmas: WAL, synchronous=FULL, foreign_keys,
  // busy_timeout. kIo with the path in the message if that fails.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& file);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows.
  Status exec(std::string_view sql, std::string_view what);
  Result<Statement> prepare(std::string_view sql);
  // The statement for `sql`, prepared on first use and kept for the connection's life, reset
  // and ready to bind: for statements a connection runs over and over (an edit's outbox
  // insert, the meta upsert), where preparing again would cost as much as running.
  Result<Statement*> cached(const std::string& sql);
  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cached_;
};

// BEGIN IMMEDIATE on construction (check status()); ROLLBACK on destruction unless commit().
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  const Status& status() const { return status_; }
  Status commit();

 private:
  Database& db_;
  Status status_;
  bool open_ = false;
};

}  // namespace rapidesk::sqlite
