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

#include "rapidesk/sqlite/migrations.h"

namespace rapidesk::client::store {

std::span<const sqlite::Migration> profile_migrations();

// CREATE statements for every view table and search index (dropped and re-created when
// the text changes: the fingerprint is kept in meta.views_layout).
const std::string& view_tables_ddl();
// DROP statements for the same tables.
const std::string& drop_view_tables_sql();

// The derived table of a synced entity ("request" → "requests"); empty for entities that
// have no table of their own (conflicts live in `conflicts`).
std::string_view view_table(std::string_view entity);

}  // namespace rapidesk::client::store
