// Several servers on one PostgreSQL (shared_log.h): catch-up reads, the writer lease (a
// session-level advisory lock), announced appends, LISTEN/NOTIFY and the leader lock.
//
// Lock keys and the channel name are derived from current_schema(), so deployments (and
// test runs) in different schemas of one database are independent. The channel name is
// hashed because identifiers are at most 63 bytes.
#include <algorithm>

#include "storage/pg_storage.h"

namespace rapidesk::server {

namespace {

constexpr const char* kWriterLock = "SELECT pg_advisory_lock(hashtext('rapidesk-server log ' || current_schema()))";
constexpr const char* kWriterUnlock =
    "SELECT pg_advisory_unlock(hashtext('rapidesk-server log ' || current_schema()))";
constexpr const char* kLeaderLock =
    "SELECT pg_try_advisory_lock(hashtext('rapidesk-server leader ' || current_schema()))";
constexpr const char* kChannel = "'rapidesk_log_' || substr(md5(current_schema()), 1, 16)";

// Reads what was committed after `from` inside `tx` and advances `from`. Two round trips
// when little is new (the usual case: this runs inside the log lock), pages of kPage rows
// when much is (a server starting on a long log).
Status read_new(pqxx::dbtransaction& tx, LogPosition& from, const LogReader& reader) {
  constexpr size_t kPage = 5000;
  // The counter comes with the entries: it only grows when entries are appended.
  for (;;) {
    const pqxx::result rows = tx.exec(
        "SELECT seq, entity, row_id, entry, (SELECT value FROM sync_meta WHERE key = 'next_server_op')"
        " FROM sync_log WHERE seq > " + std::to_string(from.seq) + " ORDER BY seq LIMIT " + std::to_string(kPage));
    for (const auto& row : rows) {
      SyncLogRecord r{row[0].as<std::uint64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
                      row[3].as<std::string>()};
      const std::uint64_t seq = r.seq;
      if (Status s = reader.on_entry(std::move(r)); !s) return s;
      from.seq = seq;
    }
    if (!rows.empty() && !rows[0][4].is_null()) reader.on_counter(rows[0][4].as<std::uint64_t>());
    if (rows.size() < kPage) break;
  }
  const pqxx::result rejected = tx.exec("SELECT ord, op_id, result FROM sync_rejected WHERE ord > " +
                                        std::to_string(from.rejection) + " ORDER BY ord");
  for (const auto& row : rejected) {
    from.rejection = row[0].as<std::uint64_t>();
    if (Status s = reader.on_rejection(SyncRejectionRecord{row[1].as<std::string>(), row[2].as<std::string>()}); !s) {
      return s;
    }
  }
  return Status::ok();
}

class PgLogListener final : public LogListener {
 public:
  explicit PgLogListener(std::string url) : url_(std::move(url)) {}

  Result<bool> wait(std::chrono::milliseconds timeout) override {
    if (!connection_) {
      auto c = pg::connect(url_);
      if (!c) return c.status();
      try {
        pqxx::nontransaction tx(**c);
        const std::string channel = tx.exec1("SELECT " + std::string(kChannel))[0].as<std::string>();
        connection_ = std::move(*c);
        receiver_ = std::make_unique<Receiver>(*connection_, channel, notified_);
      } catch (const std::exception& e) {
        receiver_.reset();
        connection_.reset();
        return pg::error_status(e, "listening for new changes");
      }
      return true;  // anything committed before LISTEN took effect was not announced
    }
    try {
      notified_ = false;
      connection_->await_notification(static_cast<long>(timeout.count() / 1000),
                                      static_cast<long>(timeout.count() % 1000) * 1000);
      return notified_;
    } catch (const std::exception& e) {
      receiver_.reset();
      connection_.reset();
      return pg::error_status(e, "listening for new changes");
    }
  }

  ~PgLogListener() override {
    receiver_.reset();  // before its connection
  }

 private:
  class Receiver final : public pqxx::notification_receiver {
   public:
    Receiver(pqxx::connection_base& c, const std::string& channel, bool& flag)
        : pqxx::notification_receiver(c, channel), flag_(flag) {}
    void operator()(const std::string&, int) override { flag_ = true; }

   private:
    bool& flag_;
  };

  const std::string url_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<Receiver> receiver_;
  bool notified_ = false;
};

class PgLeaderLock final : public LeaderLock {
 public:
  explicit PgLeaderLock(std::string url) : url_(std::move(url)) {}

  bool hold() override {
    try {
      if (!connection_) {
        auto c = pg::connect(url_);
        if (!c) return false;
        connection_ = std::move(*c);
        held_ = false;
      }
      pqxx::nontransaction tx(*connection_);
      if (held_) {
        tx.exec("SELECT 1");  // the session (and so the lock) is still there
        return true;
      }
      held_ = tx.exec1(kLeaderLock)[0].as<bool>();
      return held_;
    } catch (const std::exception&) {
      // The session is gone, and the lock with it.
      connection_.reset();
      held_ = false;
      return false;
    }
  }

  bool still_held() override {
    if (!connection_ || !held_) return false;
    try {
      pqxx::nontransaction tx(*connection_);
      tx.exec("SELECT 1");  // the session (and so the lock) is still there
      return true;
    } catch (const std::exception&) {
      // The session is gone, and the lock with it. Not retaken here: the next hold() does.
      connection_.reset();
      held_ = false;
      return false;
    }
  }

  void release() override {
    connection_.reset();  // ending the session frees its lock
    held_ = false;
  }

 private:
  const std::string url_;
  std::unique_ptr<pqxx::connection> connection_;
  bool held_ = false;
};

}  // namespace

Status PgStorage::read_since(LogPosition& from, const LogReader& reader) {
  return with_connection("reading new changes", [&](pqxx::connection& c) -> Status {
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(c);
    LogPosition at = from;
    if (Status s = read_new(tx, at, reader); !s) return s;
    tx.commit();
    from = at;
    return Status::ok();
  });
}

Status PgStorage::acquire_writer() {
  std::lock_guard lock(writer_mutex_);
  if (!writer_) {
    auto c = pg::connect(url_);
    if (!c) return c.status();
    writer_ = std::move(*c);
  }
  try {
    pqxx::nontransaction tx(*writer_);
    tx.exec(kWriterLock);  // waits in the database's queue behind the servers before it
    return Status::ok();
  } catch (const std::exception& e) {
    writer_.reset();  // the session is gone, and with it any lock it held
    return pg::error_status(e, "waiting for the turn to write");
  }
}

void PgStorage::release_writer() {
  std::lock_guard lock(writer_mutex_);
  if (!writer_) return;
  try {
    pqxx::nontransaction tx(*writer_);
    tx.exec(kWriterUnlock);
  } catch (const std::exception&) {
    writer_.reset();  // closing the session releases the lock too
  }
}

Status PgStorage::append_announced(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                                   std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) {
  if (Status s = check_storable(entries, rejected, fired_sla_keys); !s) return s;
  // On the session that holds the lease, never on a new one: if that session was lost, the
  // lock went with it and another server may be writing, so this append must not happen.
  std::lock_guard lock(writer_mutex_);
  if (!writer_) {
    return Status(ErrorCode::kUnavailable, Text{"The connection that held this server's turn to write to PostgreSQL "
                                                "was lost; the changes were not saved.",
                                                "本服务器持有 PostgreSQL 写入权的连接已断开，更改未保存。"});
  }
  try {
    pqxx::work tx(*writer_);
    (void)write_append(tx, entries, rejected, next_server_op, fired_sla_keys, kChannel);
    tx.commit();
    return Status::ok();
  } catch (const pqxx::broken_connection& e) {
    writer_.reset();
    return pg::error_status(e, "saving synced changes");
  } catch (const pqxx::in_doubt_error& e) {
    writer_.reset();
    return pg::error_status(e, "saving synced changes");
  } catch (const std::exception& e) {
    return pg::error_status(e, "saving synced changes");
  }
}

Result<std::unique_ptr<LogListener>> PgStorage::listen() {
  return std::unique_ptr<LogListener>(std::make_unique<PgLogListener>(url_));
}

std::unique_ptr<LeaderLock> PgStorage::leader_lock() { return std::make_unique<PgLeaderLock>(url_); }

}  // namespace rapidesk::server
