// Storage on one SQLite database (DATA_DIR/rapidesk.db). Thread-safe: one connection,
// every call serialised by mutex_ (SQLite in WAL mode also lets the admin CLI, another
// process, write concurrently; busy_timeout waits for its lock).
// The sync part adds its methods to Storage and implements them here in a separate file
// (sqlite_storage_sync.cpp), using db_ under mutex_ the same way.
#pragma once

#include <memory>
#include <mutex>

#include "rapidesk/server/storage.h"
#include "rapidesk/sqlite/database.h"

namespace rapidesk::server {

class SqliteStorage final : public Storage {
 public:
  // REQUIRES: db migrated to `schema_version`.
  SqliteStorage(std::unique_ptr<sqlite::Database> db, int schema_version);

  int schema_version() const override { return schema_version_; }

  Status add_team(const TeamRecord& team) override;
  Status update_team(const TeamRecord& team) override;
  Result<TeamRecord> find_team(std::string_view code) override;
  Result<std::vector<TeamRecord>> list_teams() override;

  Status add_user(const UserRecord& user) override;
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
  Result<std::vector<std::string>> load_sla_fired() override;

 private:
  Status revoke_user_tokens_locked(std::string_view user);

  const int schema_version_;
  std::mutex mutex_;
  std::unique_ptr<sqlite::Database> db_;  // guarded by mutex_
};

}  // namespace rapidesk::server
