// Storage on one SQLite database (DATA_DIR/rapidesk.db). Thread-safe, over two connections:
// accounts and tokens on db_ (calls serialised by mutex_), the sync log on sync_db_ (calls
// serialised by sync_mutex_). The sync log's group commits wait for an fsync; on their own
// connection they never hold up the token lookup of every request, nor the SLA runtime
// reading users while it holds the merge lock. WAL lets one connection read while the other
// writes; the rare account writes (login, logout) and the admin CLI, another process, wait
// for the write lock with busy_timeout. WAL checkpoints run on a thread of their own
// (sqlite::Checkpointer), so that a group commit waits for its fsync only.
// The sync part adds its methods to Storage and implements them in a separate file
// (sqlite_storage_sync.cpp).
#pragma once

#include <memory>
#include <mutex>

#include "rapidesk/server/storage.h"
#include "rapidesk/sqlite/checkpointer.h"
#include "rapidesk/sqlite/database.h"

namespace rapidesk::server {

class SqliteStorage final : public Storage {
 public:
  // REQUIRES: db migrated to `schema_version`; sync_db another connection to the same file;
  // checkpointer attached to sync_db.
  SqliteStorage(std::unique_ptr<sqlite::Database> db, std::unique_ptr<sqlite::Database> sync_db,
                std::unique_ptr<sqlite::Checkpointer> checkpointer, int schema_version);

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

  // Sync log (sqlite_storage_sync.cpp).
  Status append_sync(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                     std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) override;
  Status load_sync(const std::function<Status(SyncLogRecord&&)>& on_entry,
                   const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                   std::uint64_t& next_server_op) override;
  // One binary run per group commit (sync_log_run).
  Status append_log(std::span<const sync::LogEntry* const> entries, std::span<const SyncRejectionRecord> rejected,
                    std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) override;
  Status load_log(const std::function<Status(std::vector<sync::LogEntry>&&)>& on_entries,
                  const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                  std::uint64_t& next_server_op) override;
  Result<std::vector<std::string>> load_sla_fired() override;

 private:
  Status revoke_user_tokens_locked(std::string_view user);
  Status add_user_locked(const UserRecord& user);
  // Helpers of sqlite_storage_sync.cpp; REQUIRES: sync_mutex_ held.
  Status check_log_free(std::uint64_t first, std::uint64_t last);
  Status write_commit_rest(std::span<const SyncRejectionRecord> rejected, std::uint64_t next_server_op,
                           std::span<const std::string> fired_sla_keys);
  Status read_log(const std::function<Status(std::vector<sync::LogEntry>&&)>& on_run,
                  const std::function<Status(SyncLogRecord&&)>& on_record);
  Status read_log_rest(const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                       std::uint64_t& next_server_op);

  const int schema_version_;
  std::mutex mutex_;
  std::unique_ptr<sqlite::Database> db_;  // guarded by mutex_
  std::mutex sync_mutex_;
  std::unique_ptr<sqlite::Database> sync_db_;  // guarded by sync_mutex_
  std::unique_ptr<sqlite::Checkpointer> checkpointer_;  // declared after sync_db_: destroyed before it
};

}  // namespace rapidesk::server
