// Versioned schema migrations. The schema_version table records every migration applied;
// each runs in its own transaction, so a crash leaves the database at a whole version.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "rapidesk/shared/status.h"
#include "rapidesk/sqlite/database.h"

namespace rapidesk::sqlite {

struct Migration {
  int version;             // 1, 2, 3 ... ; never reused or renumbered
  std::string_view name;   // what it adds, for the schema_version table
  std::string_view sql;    // one or more statements
};

// Sorts `lists` into one list in version order. kInternal if versions repeat or leave a
// gap (a programming error caught by the tests).
Result<std::vector<Migration>> ordered_migrations(std::span<const std::span<const Migration>> lists);

// Brings the database up to the newest of `migrations` (ordered, from 1 without gaps).
// kCorrupt if the database is newer than this binary (`program` names it in the message);
// any failed migration is rolled back and reported. Returns the version.
Result<int> migrate(Database& db, std::span<const Migration> migrations, std::string_view program);
// The version recorded in the database (0 for a new one).
Result<int> read_schema_version(Database& db);

}  // namespace rapidesk::sqlite
