#include "storage/sqlite_storage.h"

#include <system_error>

#include "storage/account_records.h"
#include "storage/migrations.h"

namespace rapidesk::server {

namespace {

using records::skills_from_json;
using records::skills_json;
using records::team_not_found;
using records::user_not_found;

constexpr std::string_view kUserColumns =
    "SELECT name, display_name, role, team, skills, password_hash, active, created_at FROM users";

UserRecord read_user(const sqlite::Statement& s) {
  UserRecord u;
  u.name = s.text(0);
  u.display_name = s.text(1);
  u.role = from_wire<Role>(s.text(2)).value_or(Role::kField);
  u.team = s.text(3);
  u.skills = skills_from_json(s.text(4));
  u.password_hash = s.text(5);
  u.active = s.integer(6) != 0;
  u.created_at = s.integer(7);
  return u;
}

// Ends a cached query's run however the read ends. Left mid-run, it would keep its read
// snapshot open, and the log's checkpoints could not empty the WAL past it.
class EndRunOnExit {
 public:
  explicit EndRunOnExit(sqlite::Statement& s) : s_(s) {}
  ~EndRunOnExit() { s_.reset(); }
  EndRunOnExit(const EndRunOnExit&) = delete;
  EndRunOnExit& operator=(const EndRunOnExit&) = delete;

 private:
  sqlite::Statement& s_;
};

TeamRecord read_team(const sqlite::Statement& s) {
  TeamRecord t;
  t.code = s.text(0);
  t.name = s.text(1);
  if (!s.is_null(2)) t.lead = s.text(2);
  return t;
}

}  // namespace

SqliteStorage::SqliteStorage(std::unique_ptr<sqlite::Database> db, std::unique_ptr<sqlite::Database> sync_db,
                             std::unique_ptr<sqlite::Checkpointer> checkpointer, int schema_version)
    : schema_version_(schema_version),
      db_(std::move(db)),
      sync_db_(std::move(sync_db)),
      checkpointer_(std::move(checkpointer)) {}

Status SqliteStorage::add_team(const TeamRecord& team) {
  std::lock_guard lock(mutex_);
  auto s = db_->prepare("INSERT INTO teams (code, name, lead) VALUES (?1, ?2, ?3)");
  if (!s) return s.status();
  s->bind(1, team.code).bind(2, team.name).bind(3, team.lead);
  Status r = s->run();
  if (r.code() == ErrorCode::kConflict) return records::team_exists(team.code);
  if (r.code() == ErrorCode::kInvalid && team.lead) return user_not_found(*team.lead);
  return r;
}

Status SqliteStorage::update_team(const TeamRecord& team) {
  std::lock_guard lock(mutex_);
  auto s = db_->prepare("UPDATE teams SET name = ?2, lead = ?3 WHERE code = ?1");
  if (!s) return s.status();
  s->bind(1, team.code).bind(2, team.name).bind(3, team.lead);
  Status r = s->run();
  if (r.code() == ErrorCode::kInvalid && team.lead) return user_not_found(*team.lead);
  if (!r) return r;
  if (s->changes() == 0) return team_not_found(team.code);
  return Status::ok();
}

Result<TeamRecord> SqliteStorage::find_team(std::string_view code) {
  std::lock_guard lock(mutex_);
  auto s = db_->prepare("SELECT code, name, lead FROM teams WHERE code = ?1");
  if (!s) return s.status();
  s->bind(1, code);
  auto row = s->step();
  if (!row) return row.status();
  if (!*row) return team_not_found(code);
  return read_team(*s);
}

Result<std::vector<TeamRecord>> SqliteStorage::list_teams() {
  std::lock_guard lock(mutex_);
  auto s = db_->prepare("SELECT code, name, lead FROM teams ORDER BY code");
  if (!s) return s.status();
  std::vector<TeamRecord> out;
  for (;;) {
    auto row = s->step();
    if (!row) return row.status();
    if (!*row) break;
    out.push_back(read_team(*s));
  }
  return out;
}

Status SqliteStorage::add_user(const UserRecord& user) {
  std::lock_guard lock(mutex_);
  return add_user_locked(user);
}

Result<bool> SqliteStorage::add_user_and_team(const UserRecord& user) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction tx(*db_);
  if (!tx.status()) return tx.status();
  auto team = db_->prepare("INSERT INTO teams (code, name) VALUES (?1, ?1) ON CONFLICT (code) DO NOTHING");
  if (!team) return team.status();
  team->bind(1, user.team);
  if (Status r = team->run(); !r) return r;
  const bool created = team->changes() > 0;
  if (Status r = add_user_locked(user); !r) return r;
  if (Status r = tx.commit(); !r) return r;
  return created;
}

Status SqliteStorage::add_user_locked(const UserRecord& user) {
  auto s = db_->prepare(
      "INSERT INTO users (name, display_name, role, team, skills, password_hash, active, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!s) return s.status();
  s->bind(1, user.name)
      .bind(2, user.display_name)
      .bind(3, to_wire(user.role))
      .bind(4, user.team)
      .bind(5, skills_json(user.skills))
      .bind(6, user.password_hash)
      .bind(7, static_cast<std::int64_t>(user.active ? 1 : 0))
      .bind(8, static_cast<std::int64_t>(user.created_at));
  Status r = s->run();
  if (r.code() == ErrorCode::kConflict) return records::user_exists(user.name);
  if (r.code() == ErrorCode::kInvalid) return records::no_team_for_user(user.team);
  return r;
}

// Cached: every authenticated request looks up its token and then its user.
Result<UserRecord> SqliteStorage::find_user(std::string_view name) {
  std::lock_guard lock(mutex_);
  static const std::string kSql = std::string(kUserColumns) + " WHERE name = ?1";
  auto cached = db_->cached(kSql);
  if (!cached) return cached.status();
  sqlite::Statement& s = **cached;
  EndRunOnExit end(s);
  s.bind(1, name);
  auto row = s.step();
  if (!row) return row.status();
  if (!*row) return user_not_found(name);
  return read_user(s);
}

Result<std::vector<UserRecord>> SqliteStorage::list_users() {
  std::lock_guard lock(mutex_);
  auto s = db_->prepare(std::string(kUserColumns) + " ORDER BY name");
  if (!s) return s.status();
  std::vector<UserRecord> out;
  for (;;) {
    auto row = s->step();
    if (!row) return row.status();
    if (!*row) break;
    out.push_back(read_user(*s));
  }
  return out;
}

Status SqliteStorage::set_password_hash(std::string_view name, std::string_view hash) {
  std::lock_guard lock(mutex_);
  auto s = db_->prepare("UPDATE users SET password_hash = ?2 WHERE name = ?1");
  if (!s) return s.status();
  s->bind(1, name).bind(2, hash);
  if (Status r = s->run(); !r) return r;
  return s->changes() == 0 ? user_not_found(name) : Status::ok();
}

Status SqliteStorage::revoke_user_tokens_locked(std::string_view user) {
  auto s = db_->prepare("UPDATE tokens SET revoked = 1 WHERE user_name = ?1 AND revoked = 0");
  if (!s) return s.status();
  s->bind(1, user);
  return s->run();
}

Status SqliteStorage::set_user_active(std::string_view name, bool active) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction tx(*db_);
  if (!tx.status()) return tx.status();
  auto s = db_->prepare("UPDATE users SET active = ?2 WHERE name = ?1");
  if (!s) return s.status();
  s->bind(1, name).bind(2, static_cast<std::int64_t>(active ? 1 : 0));
  if (Status r = s->run(); !r) return r;
  if (s->changes() == 0) return user_not_found(name);
  if (!active) {
    if (Status r = revoke_user_tokens_locked(name); !r) return r;
  }
  return tx.commit();
}

Status SqliteStorage::touch_device(std::string_view id, std::string_view user, Instant now) {
  std::lock_guard lock(mutex_);
  auto s = db_->prepare(
      "INSERT INTO devices (id, user_name, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)"
      " ON CONFLICT (id, user_name) DO UPDATE SET last_seen = excluded.last_seen");
  if (!s) return s.status();
  s->bind(1, id).bind(2, user).bind(3, static_cast<std::int64_t>(now));
  return s->run();
}

Result<std::vector<DeviceRecord>> SqliteStorage::list_devices(std::string_view user) {
  std::lock_guard lock(mutex_);
  auto s = db_->prepare(
      "SELECT id, user_name, first_seen, last_seen FROM devices WHERE user_name = ?1 ORDER BY id");
  if (!s) return s.status();
  s->bind(1, user);
  std::vector<DeviceRecord> out;
  for (;;) {
    auto row = s->step();
    if (!row) return row.status();
    if (!*row) break;
    out.push_back(DeviceRecord{s->text(0), s->text(1), s->integer(2), s->integer(3)});
  }
  return out;
}

Status SqliteStorage::add_token(const TokenRecord& token) {
  std::lock_guard lock(mutex_);
  auto s = db_->prepare(
      "INSERT INTO tokens (hash, user_name, device, created_at, expires_at, revoked)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!s) return s.status();
  s->bind(1, token.hash)
      .bind(2, token.user)
      .bind(3, token.device)
      .bind(4, static_cast<std::int64_t>(token.created_at))
      .bind(5, static_cast<std::int64_t>(token.expires_at))
      .bind(6, static_cast<std::int64_t>(token.revoked ? 1 : 0));
  return s->run();
}

Result<TokenRecord> SqliteStorage::find_token(std::string_view hash) {
  std::lock_guard lock(mutex_);
  auto cached = db_->cached("SELECT hash, user_name, device, created_at, expires_at, revoked FROM tokens WHERE hash = ?1");
  if (!cached) return cached.status();
  sqlite::Statement& s = **cached;
  EndRunOnExit end(s);
  s.bind(1, hash);
  auto row = s.step();
  if (!row) return row.status();
  if (!*row) return records::unknown_token();
  return TokenRecord{s.text(0), s.text(1), s.text(2), s.integer(3), s.integer(4), s.integer(5) != 0};
}

Status SqliteStorage::revoke_token(std::string_view hash) {
  std::lock_guard lock(mutex_);
  auto s = db_->prepare("UPDATE tokens SET revoked = 1 WHERE hash = ?1");
  if (!s) return s.status();
  s->bind(1, hash);
  if (Status r = s->run(); !r) return r;
  return s->changes() == 0 ? records::unknown_token() : Status::ok();
}

Status SqliteStorage::revoke_user_tokens(std::string_view user) {
  std::lock_guard lock(mutex_);
  return revoke_user_tokens_locked(user);
}

int latest_schema_version() {
  auto all = all_migrations();
  return all ? static_cast<int>(all->size()) : 0;
}

Result<std::unique_ptr<Storage>> open_sqlite_storage(const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Status::io(format_text(Text{"cannot create the data directory {}: {}", "无法创建数据目录 {}：{}"},
                                  {same_text(data_dir.string()), same_text(ec.message())}));
  }
  const auto file = data_dir / kDatabaseFileName;
  auto db = sqlite::Database::open(file);
  if (!db) return db.status();
  // The database holds password hashes: readable by the server's user only.
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace, ec);
  auto version = migrate(**db);
  if (!version) return version.status();
  auto sync_db = sqlite::Database::open(file);
  if (!sync_db) return sync_db.status();
  // Group commits wait for their fsync only, not for copying the WAL into the file.
  auto checkpointer = sqlite::Checkpointer::attach(**sync_db, file);
  if (!checkpointer) return checkpointer.status();
  return std::unique_ptr<Storage>(
      std::make_unique<SqliteStorage>(std::move(*db), std::move(*sync_db), std::move(*checkpointer), *version));
}

}  // namespace rapidesk::server
