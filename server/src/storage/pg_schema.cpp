// The schema on PostgreSQL: every migration of schema_accounts.cpp and schema_sync.cpp, with
// the same version, the same name and the same tables, columns, keys and checks, in
// PostgreSQL's types: INTEGER ms -> BIGINT, 0/1 flags -> BOOLEAN. Text keys use the "C"
// collation so that ORDER BY sorts bytewise as SQLite does, whatever the database's locale.
// A migration added there needs its twin here: opening a PostgreSQL store checks that the
// two lists match (pg::migrate).
#include <array>

#include "storage/pg_support.h"

namespace rapidesk::server::pg {

namespace {

constexpr std::array<Migration, 5> kPostgresMigrations = {{
    // teams.lead and users.team point at each other: the lead's key is added once users exists.
    {1, "accounts: teams, users, devices, tokens", R"sql(
CREATE TABLE teams (
  code TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  lead TEXT COLLATE "C"
);
CREATE TABLE users (
  name TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('field', 'agent', 'coordinator', 'admin')),
  team TEXT COLLATE "C" NOT NULL REFERENCES teams(code),
  skills TEXT NOT NULL DEFAULT '[]',
  password_hash TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at BIGINT NOT NULL
);
ALTER TABLE teams ADD FOREIGN KEY (lead) REFERENCES users(name) ON DELETE SET NULL;
CREATE INDEX users_by_team ON users(team);
CREATE TABLE devices (
  id TEXT COLLATE "C" NOT NULL,
  user_name TEXT COLLATE "C" NOT NULL REFERENCES users(name),
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  PRIMARY KEY (id, user_name)
);
CREATE TABLE tokens (
  hash TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  user_name TEXT COLLATE "C" NOT NULL REFERENCES users(name),
  device TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX tokens_by_user ON tokens(user_name);
)sql"},
    {2, "sync: operation log, rejected operations, counters, fired SLA events", R"sql(
CREATE TABLE sync_log (
  seq     BIGINT PRIMARY KEY,
  entity  TEXT NOT NULL,
  row_id  TEXT NOT NULL,
  entry   TEXT NOT NULL
);
CREATE INDEX sync_log_row ON sync_log (entity, row_id, seq);
CREATE TABLE sync_rejected (
  op_id   TEXT COLLATE "C" PRIMARY KEY,
  result  TEXT NOT NULL
);
CREATE TABLE sync_meta (
  key     TEXT COLLATE "C" PRIMARY KEY,
  value   BIGINT NOT NULL
);
CREATE TABLE sla_fired (
  event_key TEXT COLLATE "C" PRIMARY KEY,
  fired_at  BIGINT NOT NULL
);
)sql"},
    // Filled in commit order: refusals are written under the log lock (shared_log.h).
    {3, "sync: order of refused operations", R"sql(
ALTER TABLE sync_rejected ADD COLUMN ord BIGSERIAL;
CREATE INDEX sync_rejected_ord ON sync_rejected (ord);
)sql"},
    {4, "sync: drop the unused per-row index of the log", R"sql(
DROP INDEX IF EXISTS sync_log_row;
)sql"},
    // The same table as on SQLite; it stays empty here: several servers read each other's
    // entries by seq, so PostgreSQL keeps one row per entry in sync_log.
    {5, "sync: the log as one compact run per commit", R"sql(
CREATE TABLE sync_log_run (
  first_seq BIGINT PRIMARY KEY,
  last_seq  BIGINT NOT NULL,
  entries   BIGINT NOT NULL,
  run       BYTEA NOT NULL
);
)sql"},
}};

}  // namespace

std::span<const Migration> postgres_migrations() { return kPostgresMigrations; }

}  // namespace rapidesk::server::pg
