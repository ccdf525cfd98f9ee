#include "rapidesk/client/replica_reader.h"

#include "rapidesk/client/search_text.h"
#include "rapidesk/shared/text_similarity.h"
#include "rapidesk/sync/schema.h"
#include "store/profile_schema.h"

namespace rapidesk::client {

namespace {

constexpr std::string_view kOpen = "status NOT IN ('resolved', 'closed')";

std::string order_by(RequestSort sort, bool descending) {
  const char* dir = descending ? " DESC" : " ASC";
  std::string key;
  switch (sort) {
    case RequestSort::kUpdated: key = "updated_ms"; break;
    case RequestSort::kCreated: key = "created_ms"; break;
    case RequestSort::kPriority: key = std::string(store::kPriorityRankSql); break;
    case RequestSort::kDue: key = "COALESCE(resolution_due_ms, first_response_due_ms, 9223372036854775807)"; break;
    case RequestSort::kNumber: key = "COALESCE(number, '')"; break;
    case RequestSort::kCustomer: key = "COALESCE(customer, '')"; break;
    case RequestSort::kStatus: key = "status"; break;
    case RequestSort::kTitle: key = "COALESCE(title, '')"; break;
  }
  return " ORDER BY " + key + dir + ", id" + dir;
}

// One result row as JSON, typed by the sync schema of `entity` (booleans, sets).
nlohmann::json row_json(const sqlite::Statement& s, const sync::EntitySpec* entity) {
  nlohmann::json out = nlohmann::json::object();
  for (int i = 0; i < s.column_count(); ++i) {
    const std::string name = s.column_name(i);
    if (name.size() > 3 && name.ends_with("_ms") && name != "updated_ms" && name != "created_ms") continue;
    if (s.is_null(i)) {
      out[name] = nullptr;
      continue;
    }
    const sync::FieldSpec* f = entity != nullptr ? sync::find_field(*entity, name) : nullptr;
    if (f != nullptr && f->type == sync::ValueType::kBool) {
      out[name] = s.integer(i) != 0;
    } else if (f != nullptr && f->type == sync::ValueType::kSetElement) {
      out[name] = nlohmann::json::parse(s.text(i), nullptr, false);
      if (out[name].is_discarded()) out[name] = nlohmann::json::array();
    } else if (s.is_integer(i)) {
      out[name] = s.integer(i);
    } else {
      out[name] = s.text(i);
    }
  }
  return out;
}

// The WHERE clause of a filter (parameters appended to `params`); nullopt when the search
// text has nothing to match (then nothing matches).
std::optional<std::string> where_clause(const RequestFilter& f, Instant now, std::vector<std::string>& params) {
  std::string where = " WHERE 1";
  auto param = [&](std::string v) {
    params.push_back(std::move(v));
    return "?" + std::to_string(params.size());
  };
  if (!f.include_deleted) where += " AND COALESCE(deleted, 0) = 0";
  if (!f.status.empty()) {
    where += " AND status IN (";
    for (std::size_t i = 0; i < f.status.size(); ++i) where += (i ? ", " : "") + param(f.status[i]);
    where += ")";
  }
  for (auto [column, value] : {std::pair<const char*, const std::string*>{"category", &f.category},
                               {"priority", &f.priority},
                               {"channel", &f.channel},
                               {"owner", &f.owner},
                               {"team", &f.team},
                               {"sla_state", &f.sla_state},
                               {"tier", &f.tier}}) {
    if (!value->empty()) where += std::string(" AND ") + column + " = " + param(*value);
  }
  if (!f.customer.empty()) where += " AND instr(lower(customer), lower(" + param(f.customer) + ")) > 0";
  if (!f.mine.empty()) {
    const std::string p = param(f.mine);
    where += " AND (owner = " + p + " OR EXISTS (SELECT 1 FROM json_each(requests.collaborators) WHERE value = " + p +
             "))";
  }
  if (f.open_only || f.overdue) where += std::string(" AND ") + std::string(kOpen);
  if (f.overdue) where += " AND resolution_due_ms < " + std::to_string(now);
  if (f.contacted_from != 0) where += " AND contacted_at_ms >= " + std::to_string(f.contacted_from);
  if (f.contacted_to != 0) where += " AND contacted_at_ms < " + std::to_string(f.contacted_to);
  if (!f.search.empty()) {
    const auto match = fts_match_expression(f.search);
    if (!match) return std::nullopt;
    where += " AND rowid IN (SELECT rowid FROM requests_search WHERE requests_search MATCH " + param(*match) + ")";
  }
  return where;
}

// A search matching at most this many requests is answered from its matches: each is
// looked up by rowid (about a microsecond each). Beyond it, walking the filter's covering
// index and checking each entry against the matches is cheaper. SQLite cannot tell the
// two apart (FTS5 reports one cost for every MATCH), so the reader counts first.
constexpr int kSearchDrivesBelow = 4000;

}  // namespace

Result<std::string> ReplicaReader::from_clause(const RequestFilter& f) const {
  if (f.search.empty()) return std::string(" FROM requests");
  const auto match = fts_match_expression(f.search);
  if (!match) return std::string(" FROM requests");
  auto count = db_->prepare("SELECT COUNT(*) FROM (SELECT rowid FROM requests_search WHERE requests_search MATCH ?1 LIMIT " +
                            std::to_string(kSearchDrivesBelow + 1) + ")");
  if (!count) return count.status();
  count->bind(1, *match);
  auto row = count->step();
  if (!row) return row.status();
  // NOT INDEXED leaves SQLite one way in: the rowids the search returns.
  return std::string(count->integer(0) <= kSearchDrivesBelow ? " FROM requests NOT INDEXED" : " FROM requests");
}

std::optional<RequestSort> parse_request_sort(std::string_view name) {
  if (name == "updated") return RequestSort::kUpdated;
  if (name == "created") return RequestSort::kCreated;
  if (name == "priority") return RequestSort::kPriority;
  if (name == "due") return RequestSort::kDue;
  if (name == "number") return RequestSort::kNumber;
  if (name == "customer") return RequestSort::kCustomer;
  if (name == "status") return RequestSort::kStatus;
  if (name == "title") return RequestSort::kTitle;
  return std::nullopt;
}

Result<std::unique_ptr<ReplicaReader>> ReplicaReader::open(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) {
    return Status::not_found(format_text(Text{"There is no local database at {}.", "{} 处没有本地数据库。"},
                                         {same_text(file.string())}));
  }
  auto db = sqlite::Database::open(file);
  if (!db) return db.status();
  if (Status s = register_search_tokenizer((*db)->handle()); !s) return s;
  // A search looks up each match's row: with 100k requests those rows span most of the
  // file, and SQLite's default 2 MiB cache would read them back from the OS every time.
  if (Status s = (*db)->exec("PRAGMA cache_size = -65536", "sizing the read cache"); !s) return s;
  return std::unique_ptr<ReplicaReader>(new ReplicaReader(std::move(*db)));
}

Result<std::vector<nlohmann::json>> ReplicaReader::rows(const std::string& sql,
                                                        const std::vector<std::string>& params) const {
  auto stmt = db_->prepare(sql);
  if (!stmt) return stmt.status();
  for (std::size_t i = 0; i < params.size(); ++i) stmt->bind(static_cast<int>(i) + 1, params[i]);
  // The table after FROM decides how columns are typed (booleans, sets).
  const std::string_view from = std::string_view(sql).substr(sql.find(" FROM ") + 6);
  const std::string_view table = from.substr(0, from.find_first_of(" \n"));
  const sync::EntitySpec* entity = nullptr;
  for (const auto& e : sync::entities()) {
    if (table.starts_with(std::string(e.name))) entity = &e;
  }
  if (table == "activities") entity = sync::find_entity("activity");
  std::vector<nlohmann::json> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.status();
    if (!*row) break;
    out.push_back(row_json(*stmt, entity));
  }
  return out;
}

Result<RequestPage> ReplicaReader::list(const RequestFilter& f, Instant now) const {
  std::vector<std::string> params;
  const auto found_where = where_clause(f, now, params);
  if (!found_where) return RequestPage{};
  const std::string& where = *found_where;
  const auto from = from_clause(f);
  if (!from) return from.status();
  RequestPage page;
  {
    auto count = db_->prepare("SELECT COUNT(*)" + *from + where);
    if (!count) return count.status();
    for (std::size_t i = 0; i < params.size(); ++i) count->bind(static_cast<int>(i) + 1, params[i]);
    auto row = count->step();
    if (!row) return row.status();
    page.total = static_cast<std::size_t>(count->integer(0));
  }
  // The page is chosen on the indexes (rowids only), then its rows are read.
  std::string page_sql = "SELECT rowid" + *from + where + order_by(f.sort, f.descending);
  if (f.limit != 0) page_sql += " LIMIT " + std::to_string(f.limit) + " OFFSET " + std::to_string(f.offset);
  const std::string sql = "SELECT * FROM requests WHERE rowid IN (" + page_sql + ")" + order_by(f.sort, f.descending);
  auto found = rows(sql, params);
  if (!found) return found.status();
  page.rows = std::move(*found);
  return page;
}

Result<std::vector<std::int64_t>> ReplicaReader::list_rowids(const RequestFilter& f, Instant now) const {
  std::vector<std::string> params;
  const auto where = where_clause(f, now, params);
  if (!where) return std::vector<std::int64_t>{};
  const auto from = from_clause(f);
  if (!from) return from.status();
  auto stmt = db_->prepare("SELECT rowid" + *from + *where + order_by(f.sort, f.descending));
  if (!stmt) return stmt.status();
  for (std::size_t i = 0; i < params.size(); ++i) stmt->bind(static_cast<int>(i) + 1, params[i]);
  std::vector<std::int64_t> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.status();
    if (!*row) break;
    out.push_back(stmt->integer(0));
  }
  return out;
}

Result<std::vector<nlohmann::json>> ReplicaReader::requests_by_rowid(std::span<const std::int64_t> rowids,
                                                                   bool list_columns) const {
  std::vector<nlohmann::json> out;
  out.reserve(rowids.size());
  auto stmt = db_->prepare(list_columns ? "SELECT id, number, title, customer, category, status, priority, owner, team,"
                                          " sla_state, first_response_due, resolution_due, agreed_due, contacted_at,"
                                          " unsynced, conflicts, updated_ms, created_ms FROM requests WHERE rowid = ?1"
                                        : "SELECT * FROM requests WHERE rowid = ?1");
  if (!stmt) return stmt.status();
  const sync::EntitySpec* entity = sync::find_entity("request");
  for (std::int64_t rowid : rowids) {
    stmt->reset();
    stmt->bind(1, rowid);
    auto row = stmt->step();
    if (!row) return row.status();
    out.push_back(*row ? row_json(*stmt, entity) : nlohmann::json());
  }
  return out;
}

Result<nlohmann::json> ReplicaReader::request(std::string_view id_or_number) const {
  auto found = rows("SELECT * FROM requests WHERE id = ?1 OR number = ?1 LIMIT 1", {std::string(id_or_number)});
  if (!found) return found.status();
  if (found->empty()) {
    return Status::not_found(format_text(Text{"There is no request {} in this copy.", "本地副本中没有请求 {}。"},
                                         {same_text(std::string(id_or_number.substr(0, 60)))}));
  }
  nlohmann::json r = std::move(found->front());
  const std::string id = r["id"];
  auto subtasks = rows("SELECT * FROM subtasks WHERE request_id = ?1 AND COALESCE(deleted, 0) = 0 ORDER BY created_ms", {id});
  auto activities = rows("SELECT * FROM activities WHERE request_id = ?1 ORDER BY at_ms, created_ms", {id});
  auto attachments = rows("SELECT * FROM attachments WHERE request_id = ?1 ORDER BY added_at_ms", {id});
  auto conflicts = rows("SELECT * FROM conflicts WHERE request_id = ?1 ORDER BY id", {id});
  for (auto* part : {&subtasks, &activities, &attachments, &conflicts}) {
    if (!*part) return part->status();
  }
  r["subtasks"] = *subtasks;
  r["activities"] = *activities;
  r["attachments"] = *attachments;
  r["conflict_records"] = *conflicts;
  return r;
}

Result<std::vector<nlohmann::json>> ReplicaReader::conflicts(std::string_view author, bool open_only) const {
  std::string sql = "SELECT c.*, r.number AS number, r.title AS title FROM conflicts c LEFT JOIN requests r ON r.id = c.request_id WHERE 1";
  std::vector<std::string> params;
  if (!author.empty()) {
    params.emplace_back(author);
    sql += " AND c.mine_author = ?1";
  }
  if (open_only) sql += " AND c.resolution = 'open'";
  sql += " ORDER BY c.mine_hlc DESC";
  auto found = rows(sql, params);
  if (!found) return found.status();
  // Values are stored as canonical JSON: show them as values.
  for (auto& c : *found) {
    for (const char* side : {"mine", "theirs"}) {
      auto v = nlohmann::json::parse(c[side].get<std::string>(), nullptr, false);
      if (!v.is_discarded()) c[side] = v;
    }
  }
  return found;
}

Result<DashboardCounts> ReplicaReader::dashboard(Instant now) const {
  DashboardCounts d;
  auto scalar = [&](const std::string& sql) -> Result<std::size_t> {
    auto stmt = db_->prepare(sql);
    if (!stmt) return stmt.status();
    auto row = stmt->step();
    if (!row) return row.status();
    return static_cast<std::size_t>(stmt->integer(0));
  };
  const std::string live = " FROM requests WHERE COALESCE(deleted, 0) = 0";
  const std::string open = live + " AND " + std::string(kOpen);
  struct Item { std::size_t* out; std::string sql; };
  for (const Item& item : {Item{&d.open, "SELECT COUNT(*)" + open},
                           Item{&d.overdue, "SELECT COUNT(*)" + open + " AND resolution_due_ms < " + std::to_string(now)},
                           Item{&d.breached, "SELECT COUNT(*)" + open + " AND sla_state = 'breached'"},
                           Item{&d.warning, "SELECT COUNT(*)" + open + " AND sla_state = 'warning'"},
                           Item{&d.unsynced, "SELECT COUNT(*)" + live + " AND unsynced > 0"},
                           Item{&d.conflicts, "SELECT COUNT(*) FROM conflicts WHERE resolution = 'open'"}}) {
    auto n = scalar(item.sql);
    if (!n) return n.status();
    *item.out = *n;
  }
  auto group = [&](const char* column, std::vector<std::pair<std::string, std::size_t>>& out) -> Status {
    auto stmt = db_->prepare(std::string("SELECT COALESCE(") + column + ", ''), COUNT(*)" + open + " GROUP BY 1 ORDER BY 2 DESC");
    if (!stmt) return stmt.status();
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.status();
      if (!*row) return Status::ok();
      out.emplace_back(stmt->text(0), static_cast<std::size_t>(stmt->integer(1)));
    }
  };
  for (auto [column, out] : {std::pair<const char*, std::vector<std::pair<std::string, std::size_t>>*>{"status", &d.by_status},
                             {"category", &d.by_category},
                             {"priority", &d.by_priority},
                             {"team", &d.by_team},
                             {"owner", &d.by_owner}}) {
    if (Status s = group(column, *out); !s) return s;
  }
  return d;
}

Result<std::vector<nlohmann::json>> ReplicaReader::rejections() const {
  // The request each refused op belongs to, where this copy still has its row: the request
  // itself, or the timeline entry, subtask or attachment that names it.
  return rows("SELECT x.*, r.id AS request_id, r.number, r.title FROM rejected x"
              " LEFT JOIN requests r ON r.id = CASE x.entity WHEN 'request' THEN x.row_id"
              "   WHEN 'activity' THEN (SELECT request_id FROM activities WHERE id = x.row_id)"
              "   WHEN 'subtask' THEN (SELECT request_id FROM subtasks WHERE id = x.row_id)"
              "   WHEN 'attachment' THEN (SELECT request_id FROM attachments WHERE id = x.row_id) END"
              " ORDER BY x.at DESC, x.op_id",
              {});
}

Result<std::vector<nlohmann::json>> ReplicaReader::search_knowledge(std::string_view text, std::size_t limit) const {
  if (text.find_first_not_of(" \t") == std::string_view::npos) {
    return rows("SELECT id, title, body, category, tags FROM knowledge WHERE COALESCE(deleted, 0) = 0 ORDER BY title LIMIT " +
                    std::to_string(limit),
                {});
  }
  const auto match = fts_match_expression(text);
  if (!match) return std::vector<nlohmann::json>{};
  return rows("SELECT k.id, k.title, k.body, k.category, k.tags FROM knowledge k JOIN knowledge_search s ON s.rowid = k.rowid"
              " WHERE knowledge_search MATCH ?1 ORDER BY bm25(knowledge_search) LIMIT " + std::to_string(limit),
              {*match});
}

Result<std::vector<nlohmann::json>> ReplicaReader::suggest_knowledge(std::string_view request_text,
                                                                     std::size_t limit) const {
  auto all = rows("SELECT id, title, body, category, tags FROM knowledge WHERE COALESCE(deleted, 0) = 0", {});
  if (!all) return all.status();
  std::vector<std::string> texts;
  texts.reserve(all->size());
  for (const auto& k : *all) {
    auto text = [&](const char* key) { return k[key].is_string() ? k[key].get<std::string>() : std::string(); };
    texts.push_back(text("title") + " " + text("body"));
  }
  std::vector<nlohmann::json> out;
  for (const SimilarityMatch& m : rank_by_similarity(request_text, texts, limit, 0.05)) {
    nlohmann::json k = (*all)[m.index];
    k["score"] = m.score;
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace rapidesk::client
