// ReplicaReader's queries for the notification inbox and the dashboard's charts.
#include "rapidesk/client/replica_reader.h"

namespace rapidesk::client {

Result<std::vector<nlohmann::json>> ReplicaReader::notifications(std::string_view user, Instant now,
                                                                  std::size_t limit) const {
  // The cadence of progress updates (DESIGN.md): every 2 h when urgent, every 24 h otherwise.
  const std::string sql =
      "WITH mine AS (SELECT id, number, title, owner, priority, status, created_ms FROM requests"
      " WHERE COALESCE(deleted, 0) = 0 AND (owner = ?1 OR EXISTS (SELECT 1 FROM json_each(requests.collaborators)"
      " WHERE value = ?1))) "
      "SELECT 'assigned' AS kind, id AS request_id, number, title, created_ms AS at, '' AS text FROM mine"
      " WHERE owner = ?1 "
      "UNION ALL SELECT 'collaborator', id, number, title, created_ms, '' FROM mine WHERE owner IS NOT ?1 "
      "UNION ALL SELECT a.kind, m.id, m.number, m.title, a.at_ms, COALESCE(a.text, '') FROM activities a"
      " JOIN mine m ON m.id = a.request_id WHERE a.kind = 'sla' OR (a.kind = 'feedback' AND a.author IS NOT ?1) "
      "UNION ALL SELECT 'progress_due', id, number, title, due, '' FROM (SELECT m.*, COALESCE((SELECT MAX(at_ms)"
      " FROM activities WHERE request_id = m.id AND kind = 'progress'), m.created_ms) + CASE m.priority WHEN"
      " 'urgent' THEN 7200000 ELSE 86400000 END AS due FROM mine m WHERE m.owner = ?1 AND m.status IN"
      " ('triaged', 'in_progress', 'reopened')) WHERE due < ?2 "
      "ORDER BY at DESC LIMIT ?3";
  auto stmt = db_->prepare(sql);
  if (!stmt) return stmt.status();
  stmt->bind(1, user).bind(2, static_cast<std::int64_t>(now)).bind(3, static_cast<std::int64_t>(limit));
  std::vector<nlohmann::json> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.status();
    if (!*row) break;
    out.push_back({{"kind", stmt->text(0)},
                   {"request_id", stmt->text(1)},
                   {"number", stmt->text(2)},
                   {"title", stmt->text(3)},
                   {"at", stmt->integer(4)},
                   {"text", stmt->text(5)}});
  }
  return out;
}

Result<std::vector<std::size_t>> ReplicaReader::created_per_day(Instant from, Instant to,
                                                               int utc_offset_minutes) const {
  if (to <= from) return std::vector<std::size_t>{};
  const std::int64_t offset = static_cast<std::int64_t>(utc_offset_minutes) * 60'000;
  auto day_of = [&](Instant t) { return (t + offset) / kMsPerDay - ((t + offset) % kMsPerDay < 0 ? 1 : 0); };
  const std::int64_t first = day_of(from);
  std::vector<std::size_t> out(static_cast<std::size_t>(day_of(to - 1) - first + 1), 0);
  auto stmt = db_->prepare(
      "SELECT (created_ms + ?3) / 86400000 AS day, COUNT(*) FROM requests WHERE COALESCE(deleted, 0) = 0"
      " AND created_ms >= ?1 AND created_ms < ?2 GROUP BY day");
  if (!stmt) return stmt.status();
  stmt->bind(1, static_cast<std::int64_t>(from)).bind(2, static_cast<std::int64_t>(to)).bind(3, offset);
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.status();
    if (!*row) break;
    const std::int64_t i = stmt->integer(0) - first;
    if (i >= 0 && i < static_cast<std::int64_t>(out.size())) out[static_cast<std::size_t>(i)] += stmt->integer(1);
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::size_t>>> ReplicaReader::created_by(std::string_view column,
                                                                                   Instant from, Instant to) const {
  if (column != "category" && column != "priority" && column != "channel" && column != "team") {
    return Status::invalid(format_text(Text{"Cannot group requests by {}.", "不能按 {} 分组请求。"},
                                       {same_text(std::string(column.substr(0, 40)))}));
  }
  auto stmt = db_->prepare("SELECT COALESCE(" + std::string(column) +
                           ", ''), COUNT(*) FROM requests WHERE COALESCE(deleted, 0) = 0 AND created_ms >= ?1"
                           " AND created_ms < ?2 GROUP BY 1 ORDER BY 2 DESC");
  if (!stmt) return stmt.status();
  stmt->bind(1, static_cast<std::int64_t>(from)).bind(2, static_cast<std::int64_t>(to));
  std::vector<std::pair<std::string, std::size_t>> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.status();
    if (!*row) break;
    out.emplace_back(stmt->text(0), static_cast<std::size_t>(stmt->integer(1)));
  }
  return out;
}

}  // namespace rapidesk::client
