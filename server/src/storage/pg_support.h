// What the PostgreSQL storage files share: connecting with the settings the server relies
// on, turning libpqxx exceptions into Status values (exceptions never leave storage/), the
// schema migrations and their migrator.
#pragma once

#include <exception>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "rapidesk/shared/status.h"
#include "storage/migrations.h"

namespace rapidesk::server::pg {

// Connects and prepares the session: client encoding UTF8, notices below WARNING silenced,
// synchronous_commit turned back on if the server has it off (a commit must be durable when
// it returns). kUnavailable if the server cannot be reached; kInvalid if the database's
// encoding is not UTF8 (the server stores Chinese text).
Result<std::unique_ptr<pqxx::connection>> connect(const std::string& url);

// Maps a libpqxx exception the way sqlite::error_status maps SQLite's codes: unique
// violations kConflict; foreign-key, check, not-null and data errors (invalid UTF-8 ...)
// kInvalid; a lost connection kUnavailable; the rest kIo. Both messages carry `what` and
// PostgreSQL's own message.
Status error_status(const std::exception& e, std::string_view what);

// PostgreSQL text holds valid UTF-8 without NUL characters. SQLite stores any bytes, so
// writers check their text first (unstorable_text) and readers treat such a key as absent.
bool storable(std::string_view text);
Status unstorable_text(std::string_view field);

// Streams the rows of `select` through the cursor named `cursor`, 1000 rows at a time, so a
// large result never sits in memory at once. Stops at the first error `on_row` returns.
template <typename OnRow>
Status stream_rows(pqxx::dbtransaction& tx, const std::string& cursor, const std::string& select, OnRow&& on_row) {
  constexpr int kFetchRows = 1000;
  tx.exec("DECLARE " + cursor + " NO SCROLL CURSOR FOR " + select);
  const std::string fetch = "FETCH FORWARD " + std::to_string(kFetchRows) + " FROM " + cursor;
  for (;;) {
    const pqxx::result rows = tx.exec(fetch);
    for (const auto& row : rows) {
      if (Status s = on_row(row); !s) return s;
    }
    if (rows.size() < static_cast<size_t>(kFetchRows)) break;
  }
  tx.exec("CLOSE " + cursor);
  return Status::ok();
}

// The PostgreSQL form of every migration, with the same versions and names as the SQLite
// ones (pg_schema.cpp).
std::span<const Migration> postgres_migrations();

// Brings the connection's current schema up to the newest version, recording each
// migration in schema_version as SQLite does, each in its own transaction. Concurrent
// openers (the server and an admin command) wait for one another on a transaction-level
// advisory lock. kCorrupt if the schema is newer than this binary; kInternal if the
// PostgreSQL migrations do not match the SQLite ones. Returns the version.
Result<int> migrate(pqxx::connection& connection);

}  // namespace rapidesk::server::pg
