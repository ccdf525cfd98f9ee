// The sync log on SQLite: append-only, one transaction per group commit. Since schema
// version 5 each group commit's entries are one row of sync_log_run, a compact binary run
// (sync/entry_records.h); sync_log keeps the rows written one entry at a time in their wire
// form, by stores from before version 5 and by append_sync. Appends never overlap stored
// seqs, so the two tables read back in seq order as one.
#include "storage/sqlite_storage.h"

#include "rapidesk/sync/entry_records.h"
#include "storage/log_pages.h"

namespace rapidesk::server {

namespace {

// Both tables in seq order: a run row has its blob, a single entry its wire form.
constexpr const char* kLogInOrderSql =
    "SELECT seq, entity, row_id, entry, NULL FROM sync_log "
    "UNION ALL SELECT first_seq, NULL, NULL, NULL, run FROM sync_log_run ORDER BY 1";

Status already_stored(std::uint64_t seq) {
  return Status::conflict(format_text(Text{"Sync log entry {} is already stored.", "同步日志第 {} 条已保存。"},
                                      {same_text(std::to_string(seq))}));
}

Status damaged_run(std::uint64_t first_seq) {
  return Status::corrupt(
      format_text(Text{"The stored sync log is damaged from entry {} on; restore the data directory from a backup.",
                       "已保存的同步日志从第 {} 条起已损坏，请从备份恢复数据目录。"},
                  {same_text(std::to_string(first_seq))}));
}

}  // namespace

// kConflict if any seq in [first, last] is stored already (in either table). REQUIRES: sync_mutex_, a transaction
Status SqliteStorage::check_log_free(std::uint64_t first, std::uint64_t last) {
  // Runs never overlap: the one starting last at or before `last` is the only candidate.
  auto run =
      sync_db_->cached("SELECT last_seq FROM sync_log_run WHERE first_seq <= ?1 ORDER BY first_seq DESC LIMIT 1");
  if (!run) return run.status();
  auto found = (*run)->bind(1, static_cast<std::int64_t>(last)).step();
  if (!found) return found.status();
  const bool clash = *found && static_cast<std::uint64_t>((*run)->integer(0)) >= first;
  (*run)->reset();
  if (clash) return already_stored(first);
  auto single = sync_db_->cached("SELECT seq FROM sync_log WHERE seq BETWEEN ?1 AND ?2 LIMIT 1");
  if (!single) return single.status();
  found = (*single)->bind(1, static_cast<std::int64_t>(first)).bind(2, static_cast<std::int64_t>(last)).step();
  if (!found) return found.status();
  const std::uint64_t seq = *found ? static_cast<std::uint64_t>((*single)->integer(0)) : 0;
  (*single)->reset();
  return *found ? already_stored(seq) : Status::ok();
}

// Rejections, the counter and fired SLA keys of one append. REQUIRES: sync_mutex_, a transaction
Status SqliteStorage::write_commit_rest(std::span<const SyncRejectionRecord> rejected, std::uint64_t next_server_op,
                                        std::span<const std::string> fired_sla_keys) {
  if (!rejected.empty()) {
    auto insert = sync_db_->prepare("INSERT OR IGNORE INTO sync_rejected (op_id, result) VALUES (?1, ?2)");
    if (!insert) return insert.status();
    for (const auto& r : rejected) {
      if (Status s = insert->bind(1, r.op_id).bind(2, r.result).run(); !s) return s;
    }
  }
  if (!fired_sla_keys.empty()) {
    auto insert =
        sync_db_->prepare("INSERT OR IGNORE INTO sla_fired (event_key, fired_at) VALUES (?1, strftime('%s','now'))");
    if (!insert) return insert.status();
    for (const auto& k : fired_sla_keys) {
      if (Status s = insert->bind(1, k).run(); !s) return s;
    }
  }
  auto counter = sync_db_->cached(
      "INSERT INTO sync_meta (key, value) VALUES ('next_server_op', ?1) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!counter) return counter.status();
  return (*counter)->bind(1, static_cast<std::int64_t>(next_server_op)).run();
}

Status SqliteStorage::append_sync(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                                  std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) {
  std::lock_guard lock(sync_mutex_);
  sqlite::Transaction tx(*sync_db_);
  if (!tx.status()) return tx.status();
  if (!entries.empty()) {
    auto insert = sync_db_->cached("INSERT INTO sync_log (seq, entity, row_id, entry) VALUES (?1, ?2, ?3, ?4)");
    if (!insert) return insert.status();
    for (const auto& e : entries) {
      if (Status s = check_log_free(e.seq, e.seq); !s) return s;  // sync_log's key covers its own rows only
      if (Status s = (*insert)
                         ->bind(1, static_cast<std::int64_t>(e.seq))
                         .bind(2, e.entity)
                         .bind(3, e.row)
                         .bind(4, e.entry)
                         .run();
          !s) {
        return s;
      }
    }
  }
  if (Status s = write_commit_rest(rejected, next_server_op, fired_sla_keys); !s) return s;
  return tx.commit();
}

Status SqliteStorage::append_log(std::span<const sync::LogEntry* const> entries,
                                 std::span<const SyncRejectionRecord> rejected, std::uint64_t next_server_op,
                                 std::span<const std::string> fired_sla_keys) {
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i]->seq != entries[i - 1]->seq + 1) {
      return Status::invalid(
          Text{"A group commit's log entries must have consecutive seqs.", "一次组提交的日志条目序号必须连续。"});
    }
  }
  // Encoded before the lock: another commit may write meanwhile.
  const std::string run = entries.empty() ? std::string() : sync::encode_entry_run(entries);
  std::lock_guard lock(sync_mutex_);
  sqlite::Transaction tx(*sync_db_);
  if (!tx.status()) return tx.status();
  if (!entries.empty()) {
    const std::uint64_t first = entries.front()->seq, last = entries.back()->seq;
    if (Status s = check_log_free(first, last); !s) return s;
    auto insert =
        sync_db_->cached("INSERT INTO sync_log_run (first_seq, last_seq, entries, run) VALUES (?1, ?2, ?3, ?4)");
    if (!insert) return insert.status();
    if (Status s = (*insert)
                       ->bind(1, static_cast<std::int64_t>(first))
                       .bind(2, static_cast<std::int64_t>(last))
                       .bind(3, static_cast<std::int64_t>(entries.size()))
                       .bind_blob_ref(4, run)  // `run` outlives the insert: not copied again
                       .run();
        !s) {
      return s;
    }
  }
  if (Status s = write_commit_rest(rejected, next_server_op, fired_sla_keys); !s) return s;
  return tx.commit();
}

// Both tables in seq order: runs decoded into entries, single rows as they are stored.
// REQUIRES: sync_mutex_
Status SqliteStorage::read_log(const std::function<Status(std::vector<sync::LogEntry>&&)>& on_run,
                               const std::function<Status(SyncLogRecord&&)>& on_record) {
  auto log = sync_db_->prepare(kLogInOrderSql);
  if (!log) return log.status();
  while (true) {
    auto row = log->step();
    if (!row) return row.status();
    if (!*row) return Status::ok();
    const auto seq = static_cast<std::uint64_t>(log->integer(0));
    if (log->is_null(4)) {
      if (Status s = on_record(SyncLogRecord{seq, log->text(1), log->text(2), log->text(3)}); !s) return s;
      continue;
    }
    std::vector<sync::LogEntry> entries;
    if (!sync::decode_entry_record(log->text(4), entries) || entries.empty() || entries.front().seq != seq) {
      return damaged_run(seq);
    }
    if (Status s = on_run(std::move(entries)); !s) return s;
  }
}

// Rejections, then the counter. REQUIRES: sync_mutex_
Status SqliteStorage::read_log_rest(const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                                    std::uint64_t& next_server_op) {
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

Status SqliteStorage::load_sync(const std::function<Status(SyncLogRecord&&)>& on_entry,
                                const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                                std::uint64_t& next_server_op) {
  std::lock_guard lock(sync_mutex_);
  // Entries of runs are given in their wire form, like the rows of sync_log.
  const auto each_of_run = [&](std::vector<sync::LogEntry>&& entries) -> Status {
    for (const auto& e : entries) {
      if (Status s = on_entry(log_record(e)); !s) return s;
    }
    return Status::ok();
  };
  if (Status s = read_log(each_of_run, on_entry); !s) return s;
  return read_log_rest(on_rejection, next_server_op);
}

Status SqliteStorage::load_log(const std::function<Status(std::vector<sync::LogEntry>&&)>& on_entries,
                               const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                               std::uint64_t& next_server_op) {
  std::lock_guard lock(sync_mutex_);
  // Single rows are decoded a page at a time, before the next run and at the end.
  DecodedPages pages(on_entries);
  const auto on_run = [&](std::vector<sync::LogEntry>&& entries) -> Status {
    if (Status s = pages.flush(); !s) return s;
    return on_entries(std::move(entries));
  };
  if (Status s = read_log(on_run, [&](SyncLogRecord&& r) { return pages.add(std::move(r)); }); !s) return s;
  if (Status s = pages.flush(); !s) return s;
  return read_log_rest(on_rejection, next_server_op);
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
