// Versioned schema migrations. The schema_version table records every migration applied;
// each runs in its own transaction, so a crash leaves the database at a whole version.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "rapidesk/shared/status.h"
#include "storage/sqlite_db.h"

namespace rapidesk::server {

struct Migration {
  int version;             // 1, 2, 3 ... across all lists; never reused or renumbered
  std::string_view name;   // what it adds, for the schema_version table
  std::string_view sql;    // one or more statements
};

// Accounts: teams, users, devices, tokens (schema_accounts.cpp).
std::span<const Migration> account_migrations();
// Sync tables (schema_sync.cpp), owned by the sync part of the server.
std::span<const Migration> sync_migrations();

// All migrations in version order. kInternal if versions repeat or leave a gap (a
// programming error caught by the tests).
Result<std::vector<Migration>> all_migrations();

// Brings the database up to the newest version. kCorrupt if the database is newer than
// this binary; any failed migration is rolled back and reported. Returns the version.
Result<int> migrate(sqlite::Database& db);
// The version recorded in the database (0 for a new one).
Result<int> read_schema_version(sqlite::Database& db);

}  // namespace rapidesk::server
