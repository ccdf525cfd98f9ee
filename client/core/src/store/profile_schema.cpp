#include "store/profile_schema.h"

#include <array>

#include "rapidesk/client/search_text.h"
#include "rapidesk/sync/schema.h"

namespace rapidesk::client::store {

namespace {

constexpr std::array<sqlite::Migration, 2> kMigrations = {{
    {1, "sync state: meta, pulled log, outbox, rejections, drafts",
     R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
-- The server's log entries (wire form) in the order this replica applied them.
CREATE TABLE pulled (
  pos INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  op_id TEXT NOT NULL,
  entry TEXT NOT NULL);
-- Local ops not yet confirmed by a pull, oldest first. `edit` groups the ops of one edit.
CREATE TABLE outbox (
  pos INTEGER PRIMARY KEY,
  op_id TEXT NOT NULL UNIQUE,
  entity TEXT NOT NULL,
  row_id TEXT NOT NULL,
  request_id TEXT,
  op TEXT NOT NULL,
  acked INTEGER NOT NULL DEFAULT 0,
  ack_cursor INTEGER NOT NULL DEFAULT 0,
  made_at INTEGER NOT NULL);
CREATE INDEX outbox_request ON outbox(request_id);
-- Ops the server refused: shown to the user until dismissed.
CREATE TABLE rejected (
  op_id TEXT PRIMARY KEY NOT NULL,
  entity TEXT NOT NULL,
  row_id TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  message_zh TEXT NOT NULL,
  at INTEGER NOT NULL);
-- Unsaved forms (the intake form's draft survives a crash or a closed window).
CREATE TABLE drafts (name TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL, saved_at INTEGER NOT NULL);
)sql"},
    {2, "pulled records hold a run of entries",
     R"sql(
-- A record of `pulled` may hold a run of entries (stored form 3: all the entries one pull
-- transaction applied); `entries` counts them, `seq` is the first one's, `op_id` empty.
ALTER TABLE pulled ADD COLUMN entries INTEGER NOT NULL DEFAULT 1;
)sql"},
}};

const char* sql_type(sync::ValueType t) {
  switch (t) {
    case sync::ValueType::kInteger:
    case sync::ValueType::kBool: return "INTEGER";
    default: return "TEXT";
  }
}

std::string build_tables() {
  std::string ddl;
  for (const sync::EntitySpec& e : sync::entities()) {
    const std::string_view table = view_table(e.name);
    if (table.empty()) continue;
    ddl += "CREATE TABLE ";
    ddl += table;
    ddl += " (id TEXT PRIMARY KEY NOT NULL";
    for (const sync::FieldSpec& f : e.fields) {
      ddl += ", ";
      ddl += f.name;
      ddl += ' ';
      ddl += f.type == sync::ValueType::kSetElement ? "TEXT" : sql_type(f.type);
      // Instants keep the text as written (with its offset) plus Unix ms for sorting.
      if (f.type == sync::ValueType::kInstant) {
        ddl += ", ";
        ddl += f.name;
        ddl += "_ms INTEGER";
      }
    }
    // Row state: ops not yet confirmed, open conflicts, newest change (ms), first op (ms).
    // Requests and knowledge keep a rowid: their search index rows use the same one.
    const bool searched = e.name == "request" || e.name == "knowledge";
    ddl += ", unsynced INTEGER NOT NULL DEFAULT 0, conflicts INTEGER NOT NULL DEFAULT 0,"
           " updated_ms INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL DEFAULT 0)";
    ddl += searched ? ";\n" : " WITHOUT ROWID;\n";
  }
  ddl += R"sql(
CREATE TABLE conflicts (
  id TEXT PRIMARY KEY NOT NULL,
  entity TEXT NOT NULL, row_id TEXT NOT NULL, request_id TEXT, field TEXT NOT NULL,
  mine TEXT NOT NULL, mine_author TEXT NOT NULL, mine_hlc TEXT NOT NULL,
  theirs TEXT NOT NULL, theirs_author TEXT NOT NULL, theirs_hlc TEXT NOT NULL,
  resolution TEXT NOT NULL, invalid_transition INTEGER NOT NULL) WITHOUT ROWID;
)sql";
  const std::string tok(kSearchTokenizer);
  // rowid = the row's rowid in requests / knowledge (an UNINDEXED id would need a scan).
  ddl += "CREATE VIRTUAL TABLE requests_search USING fts5(id UNINDEXED, number, title, description, customer, notes, "
         "tokenize='" + tok + "');\n";
  ddl += "CREATE VIRTUAL TABLE knowledge_search USING fts5(id UNINDEXED, title, body, tags, tokenize='" + tok + "');\n";
  return ddl;
}

std::string build_indexes() {
  std::string ddl = R"sql(
-- Covering indexes for the list's filters and sort keys: counting and choosing a page
-- never reads the wide rows (descriptions, notes), only the page's rows are fetched.
-- The id ends each one: it breaks ties in every sort order. The owner's index leaves out
-- updated_ms: every edit changes it, and one owner's few thousand rows sort quickly without.
CREATE INDEX requests_status ON requests(status, team, priority, owner, category, channel, sla_state, deleted,
                                         updated_ms, created_ms, resolution_due_ms, id);
CREATE INDEX requests_owner ON requests(owner, status, team, priority, category, deleted, id);
CREATE INDEX requests_team ON requests(team, status, priority, owner, category, channel, sla_state, deleted,
                                       updated_ms, created_ms, resolution_due_ms, id);
CREATE INDEX requests_created ON requests(created_ms);
)sql";
  // Pages in priority order straight from an index (no sort of every match), for the usual
  // filters: a status, or a team and a status.
  const std::string rank(kPriorityRankSql);
  ddl += "CREATE INDEX requests_status_rank ON requests(status, COALESCE(deleted, 0), (" + rank + "), id);\n";
  ddl += "CREATE INDEX requests_team_rank ON requests(team, status, COALESCE(deleted, 0), (" + rank + "), id);\n";
  ddl += R"sql(
CREATE INDEX requests_due ON requests(resolution_due_ms);
CREATE INDEX subtasks_request ON subtasks(request_id);
CREATE INDEX activities_request ON activities(request_id, at_ms);
CREATE INDEX attachments_request ON attachments(request_id);
CREATE INDEX conflicts_request ON conflicts(request_id);
)sql";
  return ddl;
}

std::string build_drop() {
  std::string sql;
  for (const sync::EntitySpec& e : sync::entities()) {
    const std::string_view table = view_table(e.name);
    if (table.empty()) continue;
    sql += "DROP TABLE IF EXISTS ";
    sql += table;
    sql += ";\n";
  }
  sql += "DROP TABLE IF EXISTS conflicts;\nDROP TABLE IF EXISTS requests_search;\nDROP TABLE IF EXISTS knowledge_search;\n";
  return sql;
}

}  // namespace

std::span<const sqlite::Migration> profile_migrations() { return kMigrations; }

std::string_view view_table(std::string_view entity) {
  if (entity == "request") return "requests";
  if (entity == "subtask") return "subtasks";
  if (entity == "activity") return "activities";
  if (entity == "attachment") return "attachments";
  if (entity == "customer") return "customers";
  if (entity == "knowledge") return "knowledge";
  return {};
}

const std::string& view_tables_sql() {
  static const std::string ddl = build_tables();
  return ddl;
}

const std::string& view_indexes_sql() {
  static const std::string ddl = build_indexes();
  return ddl;
}

const std::string& view_tables_ddl() {
  static const std::string ddl = view_tables_sql() + view_indexes_sql();
  return ddl;
}

const std::string& drop_view_tables_sql() {
  static const std::string sql = build_drop();
  return sql;
}

}  // namespace rapidesk::client::store
