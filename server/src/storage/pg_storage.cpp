#include "storage/pg_storage.h"

#include "storage/account_records.h"

namespace rapidesk::server {

namespace {

using records::team_not_found;
using records::user_not_found;

constexpr std::string_view kUserColumns =
    "SELECT name, display_name, role, team, skills, password_hash, active, created_at FROM users";

UserRecord read_user(const pqxx::row& r) {
  UserRecord u;
  u.name = r[0].as<std::string>();
  u.display_name = r[1].as<std::string>();
  u.role = from_wire<Role>(r[2].as<std::string>()).value_or(Role::kField);
  u.team = r[3].as<std::string>();
  u.skills = records::skills_from_json(r[4].as<std::string>());
  u.password_hash = r[5].as<std::string>();
  u.active = r[6].as<bool>();
  u.created_at = r[7].as<long long>();
  return u;
}

TeamRecord read_team(const pqxx::row& r) {
  TeamRecord t;
  t.code = r[0].as<std::string>();
  t.name = r[1].as<std::string>();
  if (!r[2].is_null()) t.lead = r[2].as<std::string>();
  return t;
}

TokenRecord read_token(const pqxx::row& r) {
  return TokenRecord{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                     r[3].as<long long>(),   r[4].as<long long>(),   r[5].as<bool>()};
}

// Runs one statement in its own transaction, returning the rows it affected.
template <typename... Args>
size_t run_statement(pqxx::connection& c, const std::string& sql, Args&&... args) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(sql, std::forward<Args>(args)...);
  tx.commit();
  return r.affected_rows();
}

// Runs one query in a read-only transaction.
template <typename... Args>
pqxx::result query(pqxx::connection& c, const std::string& sql, Args&&... args) {
  pqxx::read_transaction tx(c);
  pqxx::result r = tx.exec_params(sql, std::forward<Args>(args)...);
  tx.commit();
  return r;
}

bool all_storable(std::initializer_list<std::string_view> texts) {
  for (auto t : texts) {
    if (!pg::storable(t)) return false;
  }
  return true;
}

}  // namespace

PgStorage::PgStorage(std::string url, std::unique_ptr<pqxx::connection> connection, int schema_version)
    : url_(std::move(url)), schema_version_(schema_version) {
  idle_.push_back(std::move(connection));
  open_ = 1;
}

Result<std::unique_ptr<pqxx::connection>> PgStorage::acquire() {
  std::unique_lock lock(mutex_);
  released_.wait(lock, [this] { return !idle_.empty() || open_ < kMaxConnections; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return c;
  }
  ++open_;  // reserved while connecting, outside the lock
  lock.unlock();
  auto c = pg::connect(url_);
  if (!c) {
    lock.lock();
    --open_;
    released_.notify_one();
  }
  return c;
}

void PgStorage::release(std::unique_ptr<pqxx::connection> connection, bool lost) {
  std::lock_guard lock(mutex_);
  if (lost) {
    --open_;
  } else {
    idle_.push_back(std::move(connection));
  }
  released_.notify_one();
}

Status PgStorage::add_team(const TeamRecord& team) {
  if (!all_storable({team.code, team.name, team.lead.value_or("")})) return pg::unstorable_text("team");
  return with_connection("adding a team", [&](pqxx::connection& c) -> Status {
    try {
      run_statement(c, "INSERT INTO teams (code, name, lead) VALUES ($1, $2, $3)", team.code, team.name,
                    team.lead);
    } catch (const pqxx::sql_error& e) {
      Status r = pg::error_status(e, "adding a team");
      if (r.code() == ErrorCode::kConflict) return records::team_exists(team.code);
      if (r.code() == ErrorCode::kInvalid && team.lead) return user_not_found(*team.lead);
      return r;
    }
    return Status::ok();
  });
}

Status PgStorage::update_team(const TeamRecord& team) {
  if (!pg::storable(team.code)) return team_not_found(team.code);
  if (!all_storable({team.name, team.lead.value_or("")})) return pg::unstorable_text("team");
  return with_connection("changing a team", [&](pqxx::connection& c) -> Status {
    size_t changed = 0;
    try {
      changed = run_statement(c, "UPDATE teams SET name = $2, lead = $3 WHERE code = $1", team.code, team.name,
                              team.lead);
    } catch (const pqxx::sql_error& e) {
      Status r = pg::error_status(e, "changing a team");
      if (r.code() == ErrorCode::kInvalid && team.lead) return user_not_found(*team.lead);
      return r;
    }
    return changed == 0 ? team_not_found(team.code) : Status::ok();
  });
}

Result<TeamRecord> PgStorage::find_team(std::string_view code) {
  if (!pg::storable(code)) return team_not_found(code);
  return with_connection("reading a team", [&](pqxx::connection& c) -> Result<TeamRecord> {
    const pqxx::result r = query(c, "SELECT code, name, lead FROM teams WHERE code = $1", std::string(code));
    if (r.empty()) return team_not_found(code);
    return read_team(r[0]);
  });
}

Result<std::vector<TeamRecord>> PgStorage::list_teams() {
  return with_connection("listing teams", [&](pqxx::connection& c) -> Result<std::vector<TeamRecord>> {
    std::vector<TeamRecord> out;
    for (const auto& row : query(c, "SELECT code, name, lead FROM teams ORDER BY code")) out.push_back(read_team(row));
    return out;
  });
}

namespace {

// Inserts the user in `tx` (left to roll back on failure); kConflict if the name exists, kInvalid if the team does not.
Status insert_user(pqxx::work& tx, const UserRecord& user) {
  try {
    tx.exec_params(
        "INSERT INTO users (name, display_name, role, team, skills, password_hash, active, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        user.name, user.display_name, std::string(to_wire(user.role)), user.team, records::skills_json(user.skills),
        user.password_hash, user.active, static_cast<long long>(user.created_at));
  } catch (const pqxx::sql_error& e) {
    Status r = pg::error_status(e, "adding a user");
    if (r.code() == ErrorCode::kConflict) return records::user_exists(user.name);
    if (r.code() == ErrorCode::kInvalid) return records::no_team_for_user(user.team);
    return r;
  }
  return Status::ok();
}

}  // namespace

Status PgStorage::add_user(const UserRecord& user) {
  return add_user_and_team(user, false).status();
}

Result<bool> PgStorage::add_user_and_team(const UserRecord& user) { return add_user_and_team(user, true); }

Result<bool> PgStorage::add_user_and_team(const UserRecord& user, bool create_team) {
  if (!all_storable({user.name, user.display_name, user.team, user.password_hash})) return pg::unstorable_text("user");
  return with_connection("adding a user", [&](pqxx::connection& c) -> Result<bool> {
    pqxx::work tx(c);
    bool created = false;
    if (create_team) {
      created = tx.exec_params("INSERT INTO teams (code, name) VALUES ($1, $1) ON CONFLICT (code) DO NOTHING",
                               user.team)
                    .affected_rows() > 0;
    }
    if (Status r = insert_user(tx, user); !r) return r;
    tx.commit();
    return created;
  });
}

Result<UserRecord> PgStorage::find_user(std::string_view name) {
  if (!pg::storable(name)) return user_not_found(name);
  return with_connection("reading a user", [&](pqxx::connection& c) -> Result<UserRecord> {
    const pqxx::result r = query(c, std::string(kUserColumns) + " WHERE name = $1", std::string(name));
    if (r.empty()) return user_not_found(name);
    return read_user(r[0]);
  });
}

Result<std::vector<UserRecord>> PgStorage::list_users() {
  return with_connection("listing users", [&](pqxx::connection& c) -> Result<std::vector<UserRecord>> {
    std::vector<UserRecord> out;
    for (const auto& row : query(c, std::string(kUserColumns) + " ORDER BY name")) out.push_back(read_user(row));
    return out;
  });
}

Status PgStorage::set_password_hash(std::string_view name, std::string_view hash) {
  if (!pg::storable(name)) return user_not_found(name);
  if (!pg::storable(hash)) return pg::unstorable_text("password_hash");
  return with_connection("setting a password", [&](pqxx::connection& c) -> Status {
    const size_t changed =
        run_statement(c, "UPDATE users SET password_hash = $2 WHERE name = $1", std::string(name), std::string(hash));
    return changed == 0 ? user_not_found(name) : Status::ok();
  });
}

Status PgStorage::set_user_active(std::string_view name, bool active) {
  if (!pg::storable(name)) return user_not_found(name);
  return with_connection("enabling or disabling a user", [&](pqxx::connection& c) -> Status {
    pqxx::work tx(c);
    const std::string user(name);
    if (tx.exec_params("UPDATE users SET active = $2 WHERE name = $1", user, active).affected_rows() == 0) {
      return user_not_found(name);
    }
    if (!active) tx.exec_params("UPDATE tokens SET revoked = TRUE WHERE user_name = $1 AND NOT revoked", user);
    tx.commit();
    return Status::ok();
  });
}

Status PgStorage::touch_device(std::string_view id, std::string_view user, Instant now) {
  if (!all_storable({id, user})) return pg::unstorable_text("device");
  return with_connection("recording a device", [&](pqxx::connection& c) -> Status {
    run_statement(c,
                  "INSERT INTO devices (id, user_name, first_seen, last_seen) VALUES ($1, $2, $3, $3)"
                  " ON CONFLICT (id, user_name) DO UPDATE SET last_seen = excluded.last_seen",
                  std::string(id), std::string(user), static_cast<long long>(now));
    return Status::ok();
  });
}

Result<std::vector<DeviceRecord>> PgStorage::list_devices(std::string_view user) {
  if (!pg::storable(user)) return std::vector<DeviceRecord>{};
  return with_connection("listing devices", [&](pqxx::connection& c) -> Result<std::vector<DeviceRecord>> {
    std::vector<DeviceRecord> out;
    for (const auto& row : query(c,
                                 "SELECT id, user_name, first_seen, last_seen FROM devices WHERE user_name = $1"
                                 " ORDER BY id",
                                 std::string(user))) {
      out.push_back(DeviceRecord{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<long long>(),
                                 row[3].as<long long>()});
    }
    return out;
  });
}

Status PgStorage::add_token(const TokenRecord& token) {
  if (!all_storable({token.hash, token.user, token.device})) return pg::unstorable_text("token");
  return with_connection("adding a token", [&](pqxx::connection& c) -> Status {
    run_statement(c,
                  "INSERT INTO tokens (hash, user_name, device, created_at, expires_at, revoked)"
                  " VALUES ($1, $2, $3, $4, $5, $6)",
                  token.hash, token.user, token.device, static_cast<long long>(token.created_at),
                  static_cast<long long>(token.expires_at), token.revoked);
    return Status::ok();
  });
}

Result<TokenRecord> PgStorage::find_token(std::string_view hash) {
  if (!pg::storable(hash)) return records::unknown_token();
  return with_connection("reading a token", [&](pqxx::connection& c) -> Result<TokenRecord> {
    const pqxx::result r = query(
        c, "SELECT hash, user_name, device, created_at, expires_at, revoked FROM tokens WHERE hash = $1",
        std::string(hash));
    if (r.empty()) return records::unknown_token();
    return read_token(r[0]);
  });
}

Status PgStorage::revoke_token(std::string_view hash) {
  if (!pg::storable(hash)) return records::unknown_token();
  return with_connection("revoking a token", [&](pqxx::connection& c) -> Status {
    const size_t changed = run_statement(c, "UPDATE tokens SET revoked = TRUE WHERE hash = $1", std::string(hash));
    return changed == 0 ? records::unknown_token() : Status::ok();
  });
}

Status PgStorage::revoke_user_tokens(std::string_view user) {
  if (!pg::storable(user)) return Status::ok();  // no such user, so no tokens
  return with_connection("revoking a user's tokens", [&](pqxx::connection& c) -> Status {
    run_statement(c, "UPDATE tokens SET revoked = TRUE WHERE user_name = $1 AND NOT revoked", std::string(user));
    return Status::ok();
  });
}

Result<std::unique_ptr<Storage>> open_postgres_storage(std::string_view url) {
  std::string text(url);
  auto connection = pg::connect(text);
  if (!connection) return connection.status();
  auto version = pg::migrate(**connection);
  if (!version) return version.status();
  return std::unique_ptr<Storage>(std::make_unique<PgStorage>(std::move(text), std::move(*connection), *version));
}

}  // namespace rapidesk::server
