#include "storage/migrations.h"

#include <array>

namespace rapidesk::server {

Result<std::vector<Migration>> all_migrations() {
  const std::array lists{account_migrations(), sync_migrations()};
  return sqlite::ordered_migrations(lists);
}

Result<int> migrate(sqlite::Database& db) {
  auto migrations = all_migrations();
  if (!migrations) return migrations.status();
  return sqlite::migrate(db, *migrations, "rapidesk-server");
}

}  // namespace rapidesk::server
