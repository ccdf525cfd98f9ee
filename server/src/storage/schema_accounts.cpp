// Schema of accounts: teams, users, devices and tokens. Times are INTEGER ms since the
// Unix epoch (UTC). Column names avoid SQL keywords (user) so the PostgreSQL schema
// (pg_schema.cpp, same versions and names) keeps them.
#include "storage/migrations.h"

#include <array>

namespace rapidesk::server {

namespace {

constexpr std::array<Migration, 1> kAccountMigrations = {{
    {1, "accounts: teams, users, devices, tokens", R"sql(
CREATE TABLE teams (
  code TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  lead TEXT REFERENCES users(name) ON DELETE SET NULL
);
CREATE TABLE users (
  name TEXT PRIMARY KEY NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('field', 'agent', 'coordinator', 'admin')),
  team TEXT NOT NULL REFERENCES teams(code),
  skills TEXT NOT NULL DEFAULT '[]',
  password_hash TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL
);
CREATE INDEX users_by_team ON users(team);
CREATE TABLE devices (
  id TEXT NOT NULL,
  user_name TEXT NOT NULL REFERENCES users(name),
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (id, user_name)
);
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY NOT NULL,
  user_name TEXT NOT NULL REFERENCES users(name),
  device TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
CREATE INDEX tokens_by_user ON tokens(user_name);
)sql"},
}};

}  // namespace

std::span<const Migration> account_migrations() { return kAccountMigrations; }

}  // namespace rapidesk::server
