// ReplicaReader: the queries and view-models over a profile's view tables, on a connection
// of its own (WAL: reads never wait for the sync worker's writes). Read-only.
//
// Rows come back as JSON objects keyed by the wire field names (with "id" and "number"),
// which is what rapidesk-cli prints and what the UI's view-models read; plus the row state
// "unsynced" (ops not yet confirmed) and "conflicts" (open conflict records).
#pragma once

#include <filesystem>
#include <memory>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rapidesk/shared/status.h"
#include "rapidesk/shared/time.h"
#include "rapidesk/sqlite/database.h"

namespace rapidesk::client {

enum class RequestSort { kUpdated, kCreated, kPriority, kDue, kNumber, kCustomer, kStatus, kTitle };
std::optional<RequestSort> parse_request_sort(std::string_view name);  // "updated", "priority", ...

struct RequestFilter {
  std::vector<std::string> status;  // any of (empty: all)
  std::string category, priority, channel, owner, team, sla_state, tier;
  std::string customer;             // substring of the customer's name
  std::string mine;                 // user: owner or collaborator ("my work")
  bool overdue = false;             // resolution due before `now`, still open
  Instant contacted_from = 0;       // customer contact in [from, to) (0: unbounded)
  Instant contacted_to = 0;
  bool open_only = false;           // not resolved / closed
  bool include_deleted = false;
  std::string search;               // full text over number, title, description, customer, notes
  RequestSort sort = RequestSort::kUpdated;
  bool descending = true;
  std::size_t offset = 0;
  std::size_t limit = 200;          // 0: no limit
};

struct RequestPage {
  std::vector<nlohmann::json> rows;
  std::size_t total = 0;  // matching rows (before offset / limit)
};

struct DashboardCounts {
  std::size_t open = 0, overdue = 0, breached = 0, warning = 0, unsynced = 0, conflicts = 0;
  std::vector<std::pair<std::string, std::size_t>> by_status, by_category, by_priority, by_team, by_owner;
};

class ReplicaReader {
 public:
  static Result<std::unique_ptr<ReplicaReader>> open(const std::filesystem::path& file);

  Result<RequestPage> list(const RequestFilter& filter, Instant now) const;
  // Every matching request's rowid, in the filter's order (offset and limit ignored): the
  // list window keeps these as its index and reads only the rows on screen.
  Result<std::vector<std::int64_t>> list_rowids(const RequestFilter& filter, Instant now) const;
  // The request rows for these rowids, in the same order (null where a row is gone).
  // `list_columns`: only what a list row shows (number, title, customer, category, status,
  // priority, owner, team, SLA fields and due times, contact time, row state, times),
  // not the long texts.
  Result<std::vector<nlohmann::json>> requests_by_rowid(std::span<const std::int64_t> rowids,
                                                        bool list_columns = false) const;
  // The request with its subtasks, activity timeline (oldest first), attachments and
  // conflicts; kNotFound when the id (or number) is unknown here.
  Result<nlohmann::json> request(std::string_view id_or_number) const;
  // Conflict records, newest first; `author` set: only those whose losing side is theirs.
  Result<std::vector<nlohmann::json>> conflicts(std::string_view author, bool open_only) const;
  Result<DashboardCounts> dashboard(Instant now) const;
  // What concerns `user`, newest first (at most `limit`): each {kind, request_id, number,
  // title, at (ms), text}. Kinds: "assigned" (owner), "collaborator", "sla" (server SLA
  // entries: warnings, breaches, escalations, reminders), "feedback" (customer feedback
  // recorded by someone else), "progress_due" (an open request of theirs without a progress
  // entry for 2 h when urgent, 24 h otherwise; `at` is when it fell due).
  Result<std::vector<nlohmann::json>> notifications(std::string_view user, Instant now, std::size_t limit) const;
  // Requests created per day over [from, to) (days in the UTC offset given), oldest first,
  // with days without requests present as 0: the dashboard's trend line.
  Result<std::vector<std::size_t>> created_per_day(Instant from, Instant to, int utc_offset_minutes) const;
  // Requests created over [from, to) counted by a column (category, priority,
  // channel, team): the dashboard's bars for a week or a month.
  Result<std::vector<std::pair<std::string, std::size_t>>> created_by(std::string_view column, Instant from,
                                                                      Instant to) const;
  // Ops the server refused, newest first, each with its request's id, number and title
  // when this copy has them (null otherwise).
  Result<std::vector<nlohmann::json>> rejections() const;
  // Knowledge entries matching `text` (full text), best first; blank text: all, by title.
  Result<std::vector<nlohmann::json>> search_knowledge(std::string_view text, std::size_t limit) const;
  // The entries most similar to a request's text (title + description), best first.
  Result<std::vector<nlohmann::json>> suggest_knowledge(std::string_view request_text, std::size_t limit) const;

 private:
  explicit ReplicaReader(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
  Result<std::vector<nlohmann::json>> rows(const std::string& sql, const std::vector<std::string>& params) const;
  // " FROM requests", or for a search with few matches " FROM requests NOT INDEXED", so
  // that SQLite starts from the matches rather than from an index of the other filters.
  Result<std::string> from_clause(const RequestFilter& filter) const;
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace rapidesk::client
