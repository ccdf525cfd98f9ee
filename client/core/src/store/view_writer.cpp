#include "store/view_writer.h"

#include <nlohmann/json.hpp>

#include "rapidesk/shared/time.h"
#include "rapidesk/sync/schema.h"
#include "rapidesk/sync/uuid.h"
#include "store/profile_schema.h"

namespace rapidesk::client::store {

namespace {

std::string upsert_sql(const sync::EntitySpec& e) {
  const std::string table(view_table(e.name));
  std::string cols = "id";
  std::string params = "?1";
  int n = 1;
  for (const sync::FieldSpec& f : e.fields) {
    cols += ", " + std::string(f.name);
    params += ", ?" + std::to_string(++n);
    if (f.type == sync::ValueType::kInstant) {
      cols += ", " + std::string(f.name) + "_ms";
      params += ", ?" + std::to_string(++n);
    }
  }
  cols += ", updated_ms, created_ms";
  params += ", ?" + std::to_string(n + 1) + ", ?" + std::to_string(n + 2);
  // An upsert keeps the rowid (the search index refers to it) and the row-state counts.
  std::string update;
  std::size_t start = 4;  // after "id, "
  while (start < cols.size()) {
    const std::size_t comma = std::min(cols.find(", ", start), cols.size());
    const std::string col = cols.substr(start, comma - start);
    update += (update.empty() ? "" : ", ") + col + " = excluded." + col;
    start = comma + 2;
  }
  return "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ") ON CONFLICT(id) DO UPDATE SET " + update;
}

}  // namespace

Result<sqlite::Statement*> ViewWriter::statement(const std::string& sql) { return db_.cached(sql); }

namespace {

// Rows that belong to a request through their request_id.
bool is_request_child(std::string_view entity) {
  return entity == "subtask" || entity == "activity" || entity == "attachment";
}

}  // namespace

std::string ViewWriter::request_of(const sync::ReplicaStore& state, std::string_view entity, std::string_view row) {
  if (entity == "request") return std::string(row);
  if (is_request_child(entity)) {
    if (auto v = state.read(entity, row, "request_id"); v && v->value.is_string()) return v->value.as_string();
  }
  return {};
}

namespace {

// Binds field `f` of the row to parameter `n` (and an instant's Unix ms to the next one,
// advancing `n`); `updated` takes the stamp of a value that is set.
void bind_field(sqlite::Statement& s, int& n, const sync::ReplicaStore& state, std::string_view entity,
                std::string_view row, const sync::FieldSpec& f, std::int64_t& updated) {
  ++n;
  if (f.type == sync::ValueType::kSetElement) {
    const auto elements = state.read_set(entity, row, f.name);
    s.bind(n, nlohmann::json(elements).dump());
    return;
  }
  const auto v = state.read(entity, row, f.name);
  std::optional<Instant> ms;
  if (!v || v->value.is_null()) {
    s.bind(n, std::optional<std::string>{});
  } else {
    updated = std::max(updated, v->hlc.physical_ms);
    const sync::Value& value = v->value;
    if (value.is_string()) {
      s.bind(n, value.as_string());
      if (f.type == sync::ValueType::kInstant) {
        if (auto t = parse_iso8601(value.as_string())) ms = *t;
      }
    } else if (value.is_bool()) {
      s.bind(n, std::int64_t{value.as_bool() ? 1 : 0});
    } else if (value.is_int()) {
      s.bind(n, value.as_int());
    } else {
      s.bind(n, value.canonical());
    }
  }
  if (f.type == sync::ValueType::kInstant) {
    ++n;
    if (ms) s.bind(n, static_cast<std::int64_t>(*ms));
    else s.bind(n, std::optional<std::string>{});
  }
}

// A request's notes as its search entry holds them (the text of its activities), for a
// query that names the request `r`. The row-by-row and the bulk writers must agree.
const std::string kNotesSql = "(SELECT group_concat(a.text, ' ') FROM activities a WHERE a.request_id = r.id)";

// Fields whose change can change a request's search entry: its own searched columns, and
// an activity's text (the request's notes).
bool touches_search(std::string_view entity, std::string_view field) {
  if (entity == "request") return field == "number" || field == "title" || field == "description" || field == "customer";
  return entity == "activity" || entity == "knowledge";
}

}  // namespace

Status ViewWriter::refresh(const sync::ReplicaStore& state, std::string_view entity, std::string_view row) {
  const sync::EntitySpec* spec = sync::find_entity(entity);
  if (spec == nullptr || view_table(entity).empty()) {
    if (entity == "conflict") return rebuild_conflicts(state);
    return Status::ok();
  }
  if (!has_row(state, entity, row)) return remove_row(entity, row);
  if (Status st = write_row(state, *spec, row); !st) return st;
  return refresh_dependents(state, entity, row, true);
}

bool ViewWriter::has_row(const sync::ReplicaStore& state, std::string_view entity, std::string_view row) {
  const sync::EntitySpec* spec = sync::find_entity(entity);
  if (spec == nullptr) return false;
  for (const sync::FieldSpec& f : spec->fields) {
    if (f.type == sync::ValueType::kSetElement) continue;
    if (state.read(entity, row, f.name)) return true;
  }
  return false;
}

Status ViewWriter::remove_row(std::string_view entity, std::string_view row) {
  const std::string table(view_table(entity));
  // The search entry first: it is found through the row's rowid.
  if (entity == "request" || entity == "knowledge") {
    if (Status st = drop_search_entry(entity == "request" ? "requests_search" : "knowledge_search", table, row); !st) {
      return st;
    }
  }
  // A child row: its request's counts and search notes follow (the state no longer says
  // which request it was, the table does).
  std::string request;
  if (is_request_child(entity)) {
    auto owner = statement("SELECT request_id FROM " + table + " WHERE id = ?1");
    if (!owner) return owner.status();
    (*owner)->bind(1, row);
    auto found = (*owner)->step();
    if (!found) return found.status();
    if (*found && !(*owner)->is_null(0)) request = (*owner)->text(0);
    (*owner)->reset();
  }
  auto del = statement("DELETE FROM " + table + " WHERE id = ?1");
  if (!del) return del.status();
  if (Status st = (*del)->bind(1, row).run(); !st) return st;
  return request.empty() ? Status::ok() : refresh_request_state(request, true);
}

Status ViewWriter::write_row(const sync::ReplicaStore& state, const sync::EntitySpec& spec, std::string_view row) {
  // One statement text per entity, built once (a rebuild writes 100k rows).
  static const std::vector<std::string> upserts = [] {
    std::vector<std::string> sql;
    for (const sync::EntitySpec& e : sync::entities()) sql.push_back(view_table(e.name).empty() ? "" : upsert_sql(e));
    return sql;
  }();
  auto stmt = statement(upserts[static_cast<std::size_t>(&spec - sync::entities().data())]);
  if (!stmt) return stmt.status();
  const std::string_view entity = spec.name;
  sqlite::Statement& s = **stmt;
  int n = 1;
  s.bind(n, row);
  std::int64_t updated = 0;
  for (const sync::FieldSpec& f : spec.fields) bind_field(s, n, state, entity, row, f, updated);
  s.bind(n + 1, updated).bind(n + 2, sync::is_uuid_v7(row) ? sync::uuid_v7_time(row) : std::int64_t{0});
  return s.run();
}

Status ViewWriter::refresh_fields(const sync::ReplicaStore& state, std::string_view entity, std::string_view row,
                                  std::span<const std::string> fields) {
  const sync::EntitySpec* spec = sync::find_entity(entity);
  if (spec == nullptr || view_table(entity).empty()) return refresh(state, entity, row);
  std::string sql = "UPDATE " + std::string(view_table(entity)) + " SET ";
  std::vector<const sync::FieldSpec*> specs;
  int n = 0;
  bool search = false;
  for (const std::string& name : fields) {
    const sync::FieldSpec* f = sync::find_field(*spec, name);
    if (f == nullptr) return refresh(state, entity, row);
    specs.push_back(f);
    search = search || touches_search(entity, name);
    sql += name + " = ?" + std::to_string(++n) + ", ";
    if (f->type == sync::ValueType::kInstant) sql += name + "_ms = ?" + std::to_string(++n) + ", ";
  }
  sql += "updated_ms = MAX(updated_ms, ?" + std::to_string(n + 1) + ") WHERE id = ?" + std::to_string(n + 2);
  auto stmt = statement(sql);
  if (!stmt) return stmt.status();
  sqlite::Statement& s = **stmt;
  int at = 0;
  std::int64_t updated = 0;
  for (const sync::FieldSpec* f : specs) bind_field(s, at, state, entity, row, *f, updated);
  s.bind(n + 1, updated).bind(n + 2, row);
  if (Status st = s.run(); !st) return st;
  if (s.changes() == 0) return refresh(state, entity, row);  // not in its table yet
  return refresh_dependents(state, entity, row, search);
}

Status ViewWriter::refresh_dependents(const sync::ReplicaStore& state, std::string_view entity, std::string_view row,
                                      bool search) {
  if (entity == "knowledge") {
    if (Status st = drop_search_entry("knowledge_search", "knowledge", row); !st) return st;
    return copy_search_entry("SELECT rowid, id, title, body, tags FROM knowledge WHERE id = ?1 AND COALESCE(deleted, 0) = 0",
                             "INSERT INTO knowledge_search (rowid, id, title, body, tags) VALUES (?1, ?2, ?3, ?4, ?5)", row);
  }
  const std::string request = request_of(state, entity, row);
  if (request.empty()) return Status::ok();
  return refresh_request_state(request, search);
}

Status ViewWriter::refresh_request_state(std::string_view request_id, bool search) {
  auto flags = statement(
      "UPDATE requests SET unsynced = (SELECT COUNT(*) FROM outbox WHERE request_id = ?1),"
      " conflicts = (SELECT COUNT(*) FROM conflicts WHERE request_id = ?1 AND resolution = 'open')"
      " WHERE id = ?1");
  if (!flags) return flags.status();
  if (Status s = (*flags)->bind(1, request_id).run(); !s) return s;
  if (!search) return Status::ok();
  // Most edits (status, progress, owner…) leave the searched text as it was: rewriting the
  // index entry would then only cost pages written at every commit.
  auto same = statement(
      "SELECT s.rowid IS NOT NULL, r.number IS s.number AND r.title IS s.title AND r.description IS s.description"
      " AND r.customer IS s.customer AND s.notes IS " + kNotesSql +
      " FROM requests r LEFT JOIN requests_search s ON s.rowid = r.rowid WHERE r.id = ?1");
  if (!same) return same.status();
  (*same)->bind(1, request_id);
  auto found = (*same)->step();
  if (!found) return found.status();
  const bool indexed = *found && (*same)->integer(0) == 1;
  const bool unchanged = indexed && (*same)->integer(1) == 1;
  if (Status s = (*same)->run(); !s) return s;  // resets the statement
  if (unchanged) return Status::ok();
  if (indexed) {
    if (Status s = drop_search_entry("requests_search", "requests", request_id); !s) return s;
  }
  return copy_search_entry(
      "SELECT r.rowid, r.id, r.number, r.title, r.description, r.customer, " + kNotesSql +
      " FROM requests r WHERE r.id = ?1",
      "INSERT INTO requests_search (rowid, id, number, title, description, customer, notes)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      request_id);
}

Status ViewWriter::drop_search_entry(std::string_view search_table, std::string_view table, std::string_view id) {
  auto del = statement("DELETE FROM " + std::string(search_table) + " WHERE rowid = (SELECT rowid FROM " +
                       std::string(table) + " WHERE id = ?1)");
  if (!del) return del.status();
  return (*del)->bind(1, id).run();
}

Status ViewWriter::copy_search_entry(const std::string& select_sql, const std::string& insert_sql, std::string_view id) {
  // Read, then INSERT ... VALUES: an INSERT ... SELECT into an FTS5 table opens a statement
  // savepoint, and FTS5 flushes its pending terms to a new segment at every savepoint, so a
  // pull of thousands of requests would write thousands of tiny segments and merge them.
  auto read = statement(select_sql);
  if (!read) return read.status();
  (*read)->bind(1, id);
  auto row = (*read)->step();
  if (!row) return row.status();
  if (!*row) {
    (*read)->reset();
    return Status::ok();  // nothing to index
  }
  auto write = statement(insert_sql);
  if (!write) return write.status();
  sqlite::Statement& in = **write;
  sqlite::Statement& out = **read;
  for (int c = 0; c < out.column_count(); ++c) {
    if (c == 0) in.bind(1, out.integer(0));
    else if (out.is_null(c)) in.bind(c + 1, std::optional<std::string>{});
    else in.bind(c + 1, out.text(c));
  }
  out.reset();
  return in.run();
}

Status ViewWriter::rebuild_conflicts(const sync::ReplicaStore& state) {
  if (Status s = db_.exec("DELETE FROM conflicts", "clearing conflicts"); !s) return s;
  auto ins = statement(
      "INSERT INTO conflicts (id, entity, row_id, request_id, field, mine, mine_author, mine_hlc, theirs,"
      " theirs_author, theirs_hlc, resolution, invalid_transition)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!ins) return ins.status();
  for (const sync::ConflictRecord& c : state.conflicts()) {
    const std::string request = request_of(state, c.entity, c.row);
    (*ins)->bind(1, c.id).bind(2, c.entity).bind(3, c.row);
    if (request.empty()) (*ins)->bind(4, std::optional<std::string>{});
    else (*ins)->bind(4, request);
    (*ins)->bind(5, c.field).bind(6, c.loser.value.canonical()).bind(7, c.loser.author)
        .bind(8, sync::format_stamp(c.loser.hlc)).bind(9, c.winner.value.canonical()).bind(10, c.winner.author)
        .bind(11, sync::format_stamp(c.winner.hlc)).bind(12, std::string(sync::resolution_name(c.resolution)))
        .bind(13, std::int64_t{c.invalid_transition ? 1 : 0});
    if (Status s = (*ins)->run(); !s) return s;
  }
  return db_.exec(
      "UPDATE requests SET conflicts = (SELECT COUNT(*) FROM conflicts c WHERE c.request_id = requests.id AND "
      "c.resolution = 'open') WHERE conflicts != (SELECT COUNT(*) FROM conflicts c WHERE c.request_id = requests.id "
      "AND c.resolution = 'open')",
      "counting conflicts");
}

Status ViewWriter::rebuild_all(const sync::ReplicaStore& state) {
  // Tables first and their indexes after the rows; then every row's state and search entry
  // in one statement each, rather than one row at a time as refresh() does.
  if (Status s = db_.exec(drop_view_tables_sql(), "dropping views"); !s) return s;
  if (Status s = db_.exec(view_tables_sql(), "creating views"); !s) return s;
  for (const sync::EntitySpec& e : sync::entities()) {
    if (view_table(e.name).empty()) continue;
    for (const std::string& row : state.rows(e.name)) {
      if (Status s = write_row(state, e, row); !s) return s;
    }
  }
  if (Status s = db_.exec(view_indexes_sql(), "indexing views"); !s) return s;
  if (Status s = rebuild_conflicts(state); !s) return s;
  return db_.exec(
      "UPDATE requests SET unsynced = (SELECT COUNT(*) FROM outbox o WHERE o.request_id = requests.id)"
      " WHERE id IN (SELECT request_id FROM outbox);"
      "INSERT INTO requests_search (rowid, id, number, title, description, customer, notes)"
      " SELECT r.rowid, r.id, r.number, r.title, r.description, r.customer, " + kNotesSql + " FROM requests r;"
      "INSERT INTO knowledge_search (rowid, id, title, body, tags)"
      " SELECT rowid, id, title, body, tags FROM knowledge WHERE COALESCE(deleted, 0) = 0;",
      "indexing search");
}

}  // namespace rapidesk::client::store
