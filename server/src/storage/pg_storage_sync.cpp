// The sync log on PostgreSQL: append-only, one transaction per group commit. Entries go in
// with COPY (one round trip for the whole batch, however large the group commit); the log is
// read back through a cursor, so a large log never sits in memory as one result.
#include <algorithm>

#include "storage/pg_storage.h"

namespace rapidesk::server {

Status PgStorage::check_storable(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                                 std::span<const std::string> fired_sla_keys) {
  for (const auto& e : entries) {
    if (!pg::storable(e.entity) || !pg::storable(e.row) || !pg::storable(e.entry)) return pg::unstorable_text("entry");
  }
  for (const auto& r : rejected) {
    if (!pg::storable(r.op_id) || !pg::storable(r.result)) return pg::unstorable_text("result");
  }
  for (const auto& k : fired_sla_keys) {
    if (!pg::storable(k)) return pg::unstorable_text("event_key");
  }
  return Status::ok();
}

std::uint64_t PgStorage::write_append(pqxx::work& tx, std::span<const SyncLogRecord> entries,
                                      std::span<const SyncRejectionRecord> rejected, std::uint64_t next_server_op,
                                      std::span<const std::string> fired_sla_keys, std::string_view notify_channel) {
  if (!entries.empty()) {
    pqxx::stream_to copy(tx, "sync_log", std::vector<std::string>{"seq", "entity", "row_id", "entry"});
    for (const auto& e : entries) copy << std::make_tuple(static_cast<long long>(e.seq), e.entity, e.row, e.entry);
    copy.complete();
  }
  std::uint64_t last_ord = 0;
  for (const auto& r : rejected) {
    const pqxx::result ord = tx.exec_params(
        "INSERT INTO sync_rejected (op_id, result) VALUES ($1, $2) ON CONFLICT (op_id) DO NOTHING RETURNING ord",
        r.op_id, r.result);
    if (!ord.empty()) last_ord = std::max(last_ord, ord[0][0].as<std::uint64_t>());
  }
  // fired_at in seconds, as the SQLite backend stores it (strftime('%s','now')).
  for (const auto& k : fired_sla_keys) {
    tx.exec_params(
        "INSERT INTO sla_fired (event_key, fired_at) VALUES ($1, FLOOR(EXTRACT(EPOCH FROM clock_timestamp()))::BIGINT)"
        " ON CONFLICT (event_key) DO NOTHING",
        k);
  }
  // Never backwards: with several servers the highest counter wins.
  const std::string counter =
      "INSERT INTO sync_meta (key, value) VALUES ('next_server_op', $1)"
      " ON CONFLICT (key) DO UPDATE SET value = GREATEST(sync_meta.value, excluded.value)";
  if (notify_channel.empty() || entries.empty()) {
    tx.exec_params(counter, static_cast<long long>(next_server_op));
  } else {
    // The announcement rides on the same round trip; it is delivered at commit.
    tx.exec_params("WITH counter AS (" + counter + " RETURNING 1) SELECT pg_notify(" + std::string(notify_channel) +
                       ", $2) FROM counter",
                   static_cast<long long>(next_server_op), std::to_string(entries.back().seq));
  }
  return last_ord;
}

Status PgStorage::append_sync(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                              std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) {
  if (Status s = check_storable(entries, rejected, fired_sla_keys); !s) return s;
  return with_connection("saving synced changes", [&](pqxx::connection& c) -> Status {
    pqxx::work tx(c);
    (void)write_append(tx, entries, rejected, next_server_op, fired_sla_keys);
    tx.commit();
    return Status::ok();
  });
}

Status PgStorage::load_sync(const std::function<Status(SyncLogRecord&&)>& on_entry,
                            const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                            std::uint64_t& next_server_op) {
  return with_connection("loading the sync log", [&](pqxx::connection& c) -> Status {
    // One snapshot for the log, the rejections and the counter.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(c);
    Status s = pg::stream_rows(tx, "rapidesk_sync_log", "SELECT seq, entity, row_id, entry FROM sync_log ORDER BY seq",
                           [&](const pqxx::row& row) {
                             return on_entry(SyncLogRecord{row[0].as<std::uint64_t>(), row[1].as<std::string>(),
                                                           row[2].as<std::string>(), row[3].as<std::string>()});
                           });
    if (!s) return s;
    s = pg::stream_rows(tx, "rapidesk_sync_rejected", "SELECT op_id, result FROM sync_rejected", [&](const pqxx::row& row) {
      return on_rejection(SyncRejectionRecord{row[0].as<std::string>(), row[1].as<std::string>()});
    });
    if (!s) return s;
    next_server_op = 1;
    const pqxx::result counter = tx.exec("SELECT value FROM sync_meta WHERE key = 'next_server_op'");
    if (!counter.empty()) next_server_op = counter[0][0].as<std::uint64_t>();
    tx.commit();
    return Status::ok();
  });
}

Result<std::vector<std::string>> PgStorage::load_sla_fired() {
  return with_connection("loading fired SLA events", [&](pqxx::connection& c) -> Result<std::vector<std::string>> {
    pqxx::read_transaction tx(c);
    std::vector<std::string> keys;
    for (const auto& row : tx.exec("SELECT event_key FROM sla_fired")) keys.push_back(row[0].as<std::string>());
    tx.commit();
    return keys;
  });
}

}  // namespace rapidesk::server
