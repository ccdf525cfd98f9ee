// The profile database's own tables (versioned migrations) and the derived view tables.
//
// Source of truth on the device: `pulled` (the server's log entries in the order this
// replica applied them) and `outbox` (local ops not yet confirmed), plus `meta`. Everything
// else (requests, subtasks, activities, attachments, customers, knowledge, conflicts and the
// search indexes) is derived from them and can be rebuilt at any time; its layout comes from
// the sync schema, so a new synced field needs no migration here (the views are rebuilt when
// their layout changes).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "rapidesk/sqlite/migrations.h"

namespace rapidesk::client::store {

std::span<const sqlite::Migration> profile_migrations();

// The requests list's priority order (urgent first when descending) as SQL. The reader sorts
// by exactly this expression so that SQLite can walk the index built on it instead of
// sorting every match.
constexpr std::string_view kPriorityRankSql =
    "CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END";

// CREATE statements for every view table and search index, without the tables' B-tree
// indexes.
const std::string& view_tables_sql();
// CREATE INDEX statements for the view tables. A rebuild creates them after the rows are
// in: one sort per index costs far less than inserting 100k rows into nine indexes.
const std::string& view_indexes_sql();
// Both: the views' layout (dropped and re-created when the text changes: the fingerprint
// is kept in meta.views_layout).
const std::string& view_tables_ddl();
// DROP statements for the same tables.
const std::string& drop_view_tables_sql();

// The derived table of a synced entity ("request" → "requests"); empty for entities that
// have no table of their own (conflicts live in `conflicts`).
std::string_view view_table(std::string_view entity);

}  // namespace rapidesk::client::store
