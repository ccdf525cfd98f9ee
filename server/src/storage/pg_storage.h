// Storage on PostgreSQL (libpqxx), chosen with --database postgresql://...: the tables,
// schema versions, ordering and error codes of SqliteStorage, in the first existing schema
// of the connection's search_path.
//
// Thread-safe: a small pool of connections (at most kMaxConnections), each used by one call
// at a time, so that sign-in checks and reads need not wait behind a group commit's flush.
// Every call is its own transaction, as on SQLite; the server's group commit already makes
// append_sync one writer at a time. Other processes (the admin CLI) use their own
// connections. A lost connection fails the call that was using it (kUnavailable, or kIo when
// a commit's outcome is unknown) and is dropped; the next call opens a new one.
//
// Durability: a commit returns after PostgreSQL has flushed it to its WAL (synchronous_commit
// on; pg::connect turns it back on for the session if the server has it off).
// The accounts part is pg_storage.cpp, the sync log pg_storage_sync.cpp.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "rapidesk/server/shared_log.h"
#include "rapidesk/server/storage.h"
#include "storage/pg_support.h"

namespace rapidesk::server {

class PgStorage final : public Storage, public SharedLog {
 public:
  // REQUIRES: connection's schema migrated to `schema_version`.
  PgStorage(std::string url, std::unique_ptr<pqxx::connection> connection, int schema_version);

  int schema_version() const override { return schema_version_; }

  Status add_team(const TeamRecord& team) override;
  Status update_team(const TeamRecord& team) override;
  Result<TeamRecord> find_team(std::string_view code) override;
  Result<std::vector<TeamRecord>> list_teams() override;

  Status add_user(const UserRecord& user) override;
  Result<bool> add_user_and_team(const UserRecord& user) override;
  Result<UserRecord> find_user(std::string_view name) override;
  Result<std::vector<UserRecord>> list_users() override;
  Status set_password_hash(std::string_view name, std::string_view hash) override;
  Status set_user_active(std::string_view name, bool active) override;

  Status touch_device(std::string_view id, std::string_view user, Instant now) override;
  Result<std::vector<DeviceRecord>> list_devices(std::string_view user) override;

  Status add_token(const TokenRecord& token) override;
  Result<TokenRecord> find_token(std::string_view hash) override;
  Status revoke_token(std::string_view hash) override;
  Status revoke_user_tokens(std::string_view user) override;

  // Sync log (pg_storage_sync.cpp).
  Status append_sync(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                     std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) override;
  Status load_sync(const std::function<Status(SyncLogRecord&&)>& on_entry,
                   const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                   std::uint64_t& next_server_op) override;
  Result<std::vector<std::string>> load_sla_fired() override;
  SharedLog* shared_log() override { return this; }

  // Several instances (pg_shared_log.cpp).
  Status read_since(LogPosition& from, const LogReader& reader) override;
  Status acquire_writer() override;
  void release_writer() override;
  Status append_announced(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                          std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) override;
  Result<std::unique_ptr<LogListener>> listen() override;
  std::unique_ptr<LeaderLock> leader_lock() override;

 private:
  Result<bool> add_user_and_team(const UserRecord& user, bool create_team);
  static Status check_storable(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                               std::span<const std::string> fired_sla_keys);
  // Writes one append inside `tx`; returns the order number of the last refusal it stored
  // (0 if none was new). A non-empty `notify_channel` (an SQL expression) announces the
  // last entry's seq on it at commit.
  static std::uint64_t write_append(pqxx::work& tx, std::span<const SyncLogRecord> entries,
                                    std::span<const SyncRejectionRecord> rejected, std::uint64_t next_server_op,
                                    std::span<const std::string> fired_sla_keys, std::string_view notify_channel = {});

  static constexpr int kMaxConnections = 4;

  // Runs body(connection) on a connection of the pool; an exception becomes
  // pg::error_status(what), and a lost connection is dropped so the next call opens a new one.
  // body returns Status or Result<T>.
  template <typename Body>
  std::invoke_result_t<Body, pqxx::connection&> with_connection(std::string_view what, Body&& body) {
    auto connection = acquire();
    if (!connection) return connection.status();
    bool lost = false;
    auto run = [&]() -> std::invoke_result_t<Body, pqxx::connection&> {
      try {
        return body(**connection);
      } catch (const pqxx::broken_connection& e) {
        lost = true;
        return pg::error_status(e, what);
      } catch (const pqxx::in_doubt_error& e) {
        lost = true;
        return pg::error_status(e, what);
      } catch (const std::exception& e) {
        return pg::error_status(e, what);
      }
    };
    auto result = run();
    release(std::move(*connection), lost);
    return result;
  }

  // An idle connection, or a new one while fewer than kMaxConnections are open; else waits.
  Result<std::unique_ptr<pqxx::connection>> acquire();
  // Returns a connection to the pool (or closes it if it was lost).
  void release(std::unique_ptr<pqxx::connection> connection, bool lost);

  const std::string url_;
  const int schema_version_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mutex_
  int open_ = 0;  // connections idle or in use; guarded by mutex_
  // The writer lease's own session (shared_log.h); its lock lives as long as it does.
  std::mutex writer_mutex_;
  std::unique_ptr<pqxx::connection> writer_;  // guarded by writer_mutex_
};

}  // namespace rapidesk::server
