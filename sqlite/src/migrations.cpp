#include "rapidesk/sqlite/migrations.h"

#include <algorithm>
#include <chrono>
#include <string>

namespace rapidesk::sqlite {

Result<std::vector<Migration>> ordered_migrations(std::span<const std::span<const Migration>> lists) {
  std::vector<Migration> all;
  for (auto list : lists) all.insert(all.end(), list.begin(), list.end());
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].version != static_cast<int>(i) + 1) {
      return Status(ErrorCode::kInternal,
                    format_text(Text{"schema migrations are misnumbered at version {}", "数据库迁移版本号在 {} 处有误"},
                                {same_text(std::to_string(all[i].version))}));
    }
  }
  return all;
}

Result<int> read_schema_version(Database& db) {
  if (Status s = db.exec("CREATE TABLE IF NOT EXISTS schema_version ("
                         " version INTEGER PRIMARY KEY NOT NULL,"
                         " name TEXT NOT NULL,"
                         " applied_at INTEGER NOT NULL)",
                         "creating schema_version");
      !s) {
    return s;
  }
  auto stmt = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!stmt) return stmt.status();
  auto row = stmt->step();
  if (!row) return row.status();
  return static_cast<int>(stmt->integer(0));
}

Result<int> migrate(Database& db, std::span<const Migration> migrations, std::string_view program) {
  const int latest = static_cast<int>(migrations.size());
  auto current = read_schema_version(db);
  if (!current) return current.status();
  if (*current > latest) {
    return Status::corrupt(format_text(
        Text{"the database has schema version {}, but this {} only knows versions up to {}: it was "
             "written by a newer version. Run that newer version (or restore a backup); refusing to open it",
             "数据库结构版本为 {}，而此 {} 只支持到版本 {}：该数据库由更新的版本写入。"
             "请使用更新的版本（或恢复备份）；拒绝打开"},
        {same_text(std::to_string(*current)), same_text(std::string(program)), same_text(std::to_string(latest))}));
  }
  for (const Migration& m : migrations) {
    if (m.version <= *current) continue;
    Transaction tx(db);
    if (!tx.status()) return tx.status();
    // Another process may have migrated while we waited for the lock.
    auto again = read_schema_version(db);
    if (!again) return again.status();
    if (*again >= m.version) continue;
    if (Status s = db.exec(m.sql, m.name); !s) return s;
    auto insert = db.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (?1, ?2, ?3)");
    if (!insert) return insert.status();
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    insert->bind(1, static_cast<std::int64_t>(m.version)).bind(2, m.name).bind(3, static_cast<std::int64_t>(now));
    if (Status s = insert->run(); !s) return s;
    if (Status s = tx.commit(); !s) return s;
  }
  return read_schema_version(db);
}

}  // namespace rapidesk::sqlite
