// The sync log on SQLite: append-only, one transaction per group commit.
#include "storage/sqlite_storage.h"

namespace rapidesk::server {

Status SqliteStorage::append_sync(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                                  std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) {
  std::lock_guard lock(sync_mutex_);
  sqlite::Transaction tx(*sync_db_);
  if (!tx.status()) return tx.status();
  if (!entries.empty()) {
    auto insert = sync_db_->cached("INSERT INTO sync_log (seq, entity, row_id, entry) VALUES (?1, ?2, ?3, ?4)");
    if (!insert) return insert.status();
    for (const auto& e : entries) {
      if (Status s = (*insert)->bind(1, static_cast<std::int64_t>(e.seq)).bind(2, e.entity).bind(3, e.row).bind(4, e.entry).run(); !s) {
        return s;
      }
    }
  }
  if (!rejected.empty()) {
    auto insert = sync_db_->prepare("INSERT OR IGNORE INTO sync_rejected (op_id, result) VALUES (?1, ?2)");
    if (!insert) return insert.status();
    for (const auto& r : rejected) {
      if (Status s = insert->bind(1, r.op_id).bind(2, r.result).run(); !s) return s;
    }
  }
  if (!fired_sla_keys.empty()) {
    auto insert = sync_db_->prepare("INSERT OR IGNORE INTO sla_fired (event_key, fired_at) VALUES (?1, strftime('%s','now'))");
    if (!insert) return insert.status();
    for (const auto& k : fired_sla_keys) {
      if (Status s = insert->bind(1, k).run(); !s) return s;
    }
  }
  auto counter = sync_db_->cached(
      "INSERT INTO sync_meta (key, value) VALUES ('next_server_op', ?1) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!counter) return counter.status();
  if (Status s = (*counter)->bind(1, static_cast<std::int64_t>(next_server_op)).run(); !s) return s;
  return tx.commit();
}

Status SqliteStorage::load_sync(const std::function<Status(SyncLogRecord&&)>& on_entry,
                                const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                                std::uint64_t& next_server_op) {
  std::lock_guard lock(sync_mutex_);
  auto log = sync_db_->prepare("SELECT seq, entity, row_id, entry FROM sync_log ORDER BY seq");
  if (!log) return log.status();
  while (true) {
    auto row = log->step();
    if (!row) return row.status();
    if (!*row) break;
    SyncLogRecord r{static_cast<std::uint64_t>(log->integer(0)), log->text(1), log->text(2), log->text(3)};
    if (Status s = on_entry(std::move(r)); !s) return s;
  }
  auto rejected = sync_db_->prepare("SELECT op_id, result FROM sync_rejected");
  if (!rejected) return rejected.status();
  while (true) {
    auto row = rejected->step();
    if (!row) return row.status();
    if (!*row) break;
    if (Status s = on_rejection(SyncRejectionRecord{rejected->text(0), rejected->text(1)}); !s) return s;
  }
  next_server_op = 1;
  auto counter = sync_db_->prepare("SELECT value FROM sync_meta WHERE key = 'next_server_op'");
  if (!counter) return counter.status();
  auto row = counter->step();
  if (!row) return row.status();
  if (*row) next_server_op = static_cast<std::uint64_t>(counter->integer(0));
  return Status::ok();
}

Result<std::vector<std::string>> SqliteStorage::load_sla_fired() {
  std::lock_guard lock(sync_mutex_);
  auto q = sync_db_->prepare("SELECT event_key FROM sla_fired");
  if (!q) return q.status();
  std::vector<std::string> keys;
  while (true) {
    auto row = q->step();
    if (!row) return row.status();
    if (!*row) break;
    keys.push_back(q->text(0));
  }
  return keys;
}

}  // namespace rapidesk::server
