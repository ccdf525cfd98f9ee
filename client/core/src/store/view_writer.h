// Keeps the derived view tables (see profile_schema.h) equal to the merged state, one row at
// a time. Runs inside the caller's transaction, so a view row changes together with the
// outbox or pulled entries that changed it.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "rapidesk/sqlite/database.h"
#include "rapidesk/sync/replica_store.h"

namespace rapidesk::client::store {

class ViewWriter {
 public:
  explicit ViewWriter(sqlite::Database& db) : db_(db) {}

  // Re-derives one row of `entity` from `state`. For a request this includes its search
  // entry and its unsynced / conflict counts; child rows (subtask, activity, attachment)
  // also refresh their request's. A row `state` has nothing of (a new row whose every edit
  // the server refused) leaves its table and search index.
  Status refresh(const sync::ReplicaStore& state, std::string_view entity, std::string_view row);
  // Re-derives only `fields` of a row already in its table (the fields an edit wrote), then
  // what depends on them as refresh() does; the search entry is rewritten only when a
  // searched text may have changed. A row not yet in its table is refreshed whole.
  Status refresh_fields(const sync::ReplicaStore& state, std::string_view entity, std::string_view row,
                        std::span<const std::string> fields);
  // The request's unsynced count, conflict count and (`search`) search entry.
  Status refresh_request_state(std::string_view request_id, bool search = true);
  // Replaces the conflicts table with `state`'s records and updates the per-request counts.
  Status rebuild_conflicts(const sync::ReplicaStore& state);
  // Drops and re-creates every view table (the current layout) and derives all rows again:
  // after a layout change, to repair, or once at the end of an initial sync.
  Status rebuild_all(const sync::ReplicaStore& state);

  // The request a row belongs to (itself for a request; request_id for children; empty
  // for rows outside any request).
  static std::string request_of(const sync::ReplicaStore& state, std::string_view entity, std::string_view row);
  // Whether `state` holds any field of the row (set elements aside).
  static bool has_row(const sync::ReplicaStore& state, std::string_view entity, std::string_view row);

 private:
  Result<sqlite::Statement*> statement(const std::string& sql);
  // Takes the row out of its table and its search index.
  Status remove_row(std::string_view entity, std::string_view row);
  // Writes the row's table row (insert or update) from `state`; nothing else.
  Status write_row(const sync::ReplicaStore& state, const sync::EntitySpec& spec, std::string_view row);
  // Deletes the entry of row `id` of `table` from `search_table` (found by the row's rowid).
  Status drop_search_entry(std::string_view search_table, std::string_view table, std::string_view id);
  // Copies the one row `select_sql` finds for `id` (rowid first) into a search table with
  // `insert_sql` (one parameter per column); nothing when the row is absent.
  Status copy_search_entry(const std::string& select_sql, const std::string& insert_sql, std::string_view id);
  // After a row of `entity` changed: the knowledge search entry, or the request's state.
  Status refresh_dependents(const sync::ReplicaStore& state, std::string_view entity, std::string_view row,
                            bool search);

  sqlite::Database& db_;
};

}  // namespace rapidesk::client::store
