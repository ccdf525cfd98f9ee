// The server's schema migrations, in lists per part of the server; applied by the shared
// versioned migrator (rapidesk/sqlite/migrations.h).
#pragma once

#include <span>
#include <vector>

#include "rapidesk/shared/status.h"
#include "rapidesk/sqlite/database.h"
#include "rapidesk/sqlite/migrations.h"

namespace rapidesk::server {

using sqlite::Migration;

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
using sqlite::read_schema_version;

}  // namespace rapidesk::server
