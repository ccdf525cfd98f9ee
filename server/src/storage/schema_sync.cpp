// Schema of the sync tables (field operations, rows, conflicts, cursors), owned by the sync
// part of the server. Add migrations here with the next free version number (after the
// highest in schema_accounts.cpp and this file), and its PostgreSQL twin with the same version
// and name in pg_schema.cpp; never edit one that has shipped.
#include <array>

#include "storage/migrations.h"

namespace rapidesk::server {

namespace {

// The log is the source of truth: every accepted operation in cursor order, stored in its
// wire form (as a pull page carries it). The merged state is rebuilt from it at start.
constexpr std::array<Migration, 4> kSyncMigrations = {{
    {2, "sync: operation log, rejected operations, counters, fired SLA events", R"sql(
CREATE TABLE sync_log (
  seq     INTEGER PRIMARY KEY,
  entity  TEXT NOT NULL,
  row_id  TEXT NOT NULL,
  entry   TEXT NOT NULL
);
CREATE INDEX sync_log_row ON sync_log (entity, row_id, seq);
CREATE TABLE sync_rejected (
  op_id   TEXT PRIMARY KEY,
  result  TEXT NOT NULL
);
CREATE TABLE sync_meta (
  key     TEXT PRIMARY KEY,
  value   INTEGER NOT NULL
);
CREATE TABLE sla_fired (
  event_key TEXT PRIMARY KEY,
  fired_at  INTEGER NOT NULL
);
)sql"},
    // Several servers on one PostgreSQL read each other's refusals in this order; a single
    // SQLite server never needs it, but both backends keep the same columns.
    {3, "sync: order of refused operations", R"sql(
ALTER TABLE sync_rejected ADD COLUMN ord INTEGER NOT NULL DEFAULT 0;
)sql"},
    // Nothing reads the log by row (the merged state is rebuilt from it in seq order), and
    // every commit paid for keeping this index: about a third of the pages it wrote.
    {4, "sync: drop the unused per-row index of the log", R"sql(
DROP INDEX IF EXISTS sync_log_row;
)sql"},
    // One row per group commit instead of one per entry: a commit inserted hundreds of rows,
    // each entry's JSON, and that was most of its work. The run is sync/entry_records.h's
    // form 3 of entries first_seq..last_seq. Rows already in sync_log stay and are read too.
    {5, "sync: the log as one compact run per commit", R"sql(
CREATE TABLE sync_log_run (
  first_seq INTEGER PRIMARY KEY,
  last_seq  INTEGER NOT NULL,
  entries   INTEGER NOT NULL,
  run       BLOB NOT NULL
);
)sql"},
}};

}  // namespace

std::span<const Migration> sync_migrations() { return kSyncMigrations; }

}  // namespace rapidesk::server
