// The server's persistent state behind an abstract interface, implemented on SQLite (the
// default, in the data directory) and on PostgreSQL (--database postgresql://...). Every
// method is a single transaction and thread-safe.
// Times are rapidesk::Instant (UTC ms).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/status.h"
#include "rapidesk/shared/time.h"
#include "rapidesk/sync/protocol.h"

namespace rapidesk::server {

struct TeamRecord {
  std::string code;  // 2..8 of A-Z, 0-9 (is_valid_team_code); appears in request numbers
  std::string name;
  std::optional<std::string> lead;  // a user name
};

struct UserRecord {
  std::string name;  // login name: 1..64 of a-z, 0-9, '.', '_', '-'
  std::string display_name;
  Role role = Role::kField;
  std::string team;  // a team code
  std::vector<std::string> skills;
  std::string password_hash;  // Argon2id string
  bool active = true;
  Instant created_at = 0;
};

struct DeviceRecord {
  std::string id;  // chosen by the client (its replica's device id)
  std::string user;
  Instant first_seen = 0;
  Instant last_seen = 0;
};

struct TokenRecord {
  std::string hash;  // hash_token(token); the token itself is never stored
  std::string user;
  std::string device;
  Instant created_at = 0;
  Instant expires_at = 0;
  bool revoked = false;
};

// One entry of the sync log as stored: its wire form (the JSON object a pull page carries
// for it) and the row it touches, so one row's history can be read alone.
struct SyncLogRecord {
  std::uint64_t seq = 0;
  std::string entity;
  std::string row;
  std::string entry;
};

// A pushed operation answered without a log entry (refused, or a repeated append-only value
// acknowledged as a duplicate), kept so a replay gets the same answer.
struct SyncRejectionRecord {
  std::string op_id;
  std::string result;  // the push-result JSON that carried the answer
};

class SharedLog;  // shared_log.h

class Storage {
 public:
  virtual ~Storage() = default;

  // The schema version the store is at (after migrations).
  virtual int schema_version() const = 0;

  // Teams. add_team: kConflict if the code exists; kInvalid if the lead is no user.
  virtual Status add_team(const TeamRecord& team) = 0;
  // Replaces name and lead of an existing team; kNotFound if there is none.
  virtual Status update_team(const TeamRecord& team) = 0;
  virtual Result<TeamRecord> find_team(std::string_view code) = 0;  // kNotFound
  virtual Result<std::vector<TeamRecord>> list_teams() = 0;         // by code

  // Users. add_user: kConflict if the name exists; kInvalid if the team does not.
  virtual Status add_user(const UserRecord& user) = 0;
  // add_user, first creating the user's team (named by its code) when there is none, in ONE
  // transaction: a refused user leaves no new team behind. True if the team was created.
  virtual Result<bool> add_user_and_team(const UserRecord& user) = 0;
  virtual Result<UserRecord> find_user(std::string_view name) = 0;  // kNotFound
  virtual Result<std::vector<UserRecord>> list_users() = 0;         // by name
  virtual Status set_password_hash(std::string_view name, std::string_view hash) = 0;  // kNotFound
  // Disabling also revokes all the user's tokens, atomically. kNotFound.
  virtual Status set_user_active(std::string_view name, bool active) = 0;

  // Devices: records that `user` signed in from device `id` at `now`.
  virtual Status touch_device(std::string_view id, std::string_view user, Instant now) = 0;
  virtual Result<std::vector<DeviceRecord>> list_devices(std::string_view user) = 0;

  // Tokens. add_token: kConflict on a duplicate hash.
  virtual Status add_token(const TokenRecord& token) = 0;
  virtual Result<TokenRecord> find_token(std::string_view hash) = 0;  // kNotFound
  virtual Status revoke_token(std::string_view hash) = 0;             // kNotFound
  virtual Status revoke_user_tokens(std::string_view user) = 0;

  // Sync log. append_sync writes entries, rejections, the server's next op sequence and
  // fired SLA event keys in ONE durable transaction (SQLite synchronous=FULL, PostgreSQL
  // synchronous_commit on): when it returns ok, all of it survives a crash; otherwise none
  // of it was written.
  virtual Status append_sync(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                             std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) = 0;
  // Streams the log in seq order, then the rejections; reads the counter (1 when unset).
  virtual Status load_sync(const std::function<Status(SyncLogRecord&&)>& on_entry,
                           const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                           std::uint64_t& next_server_op) = 0;
  // The same for the sync service's own log: append_log takes one group commit's entries
  // (in seq order) and load_log gives the stored log back as entries, a batch at a time, in
  // seq order, then the rejections. How the entries are stored is the backend's choice:
  // by default each entry's wire form through append_sync / load_sync (kCorrupt if one does
  // not decode); SQLite stores each commit's entries as one compact binary run.
  virtual Status append_log(std::span<const sync::LogEntry* const> entries,
                            std::span<const SyncRejectionRecord> rejected, std::uint64_t next_server_op,
                            std::span<const std::string> fired_sla_keys);
  virtual Status load_log(const std::function<Status(std::vector<sync::LogEntry>&&)>& on_entries,
                          const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                          std::uint64_t& next_server_op);
  // Every fired SLA event key (the SLA engine's ledger).
  virtual Result<std::vector<std::string>> load_sla_fired() = 0;

  // Non-null when several server instances may share this store (PostgreSQL): then the
  // sync service writes the log through it. Owned by the storage.
  virtual SharedLog* shared_log() { return nullptr; }
};

// An entry's stored wire form (the JSON object a pull page carries for it), as append_sync
// takes it.
SyncLogRecord log_record(const sync::LogEntry& entry);
// Decodes stored wire-form log records into their entries, in the given order. kCorrupt,
// asking for a restore from a backup, if one does not decode.
Result<std::vector<sync::LogEntry>> decode_log_records(std::span<const SyncLogRecord> records);

constexpr std::string_view kDatabaseFileName = "rapidesk.db";

// Opens (creating if needed) DIR/rapidesk.db with WAL, synchronous=FULL, foreign keys and a
// busy timeout, and runs pending schema migrations. kCorrupt with a clear message if the
// database was written by a newer server; kIo if it cannot be opened.
Result<std::unique_ptr<Storage>> open_sqlite_storage(const std::filesystem::path& data_dir);

// Connects to PostgreSQL (libpq URL: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?options=
// -csearch_path%3DSCHEMA]) and runs pending schema migrations in the connection's current
// schema (the first existing one on search_path). Same tables, versions and errors as
// SQLite: kCorrupt if the schema was written by a newer server. kUnavailable if the server
// cannot be reached; kInvalid if the database is not UTF8 or no schema is selected.
Result<std::unique_ptr<Storage>> open_postgres_storage(std::string_view url);

// True if `database` names a PostgreSQL server: it starts with postgresql:// or postgres://.
bool is_postgres_url(std::string_view database);
// ok for "" (SQLite) and a PostgreSQL URL; kInvalid with a message saying what to give else.
Status check_database_url(std::string_view database);
// `database` with any password replaced by "***", for logs and messages.
std::string redacted_database_url(std::string_view database);
// The store the server is configured for: PostgreSQL when `database` is a postgresql:// or
// postgres:// URL, SQLite in data_dir when it is empty; kInvalid for anything else.
Result<std::unique_ptr<Storage>> open_storage(const std::filesystem::path& data_dir, std::string_view database);

// The newest schema version this binary knows.
int latest_schema_version();

}  // namespace rapidesk::server
