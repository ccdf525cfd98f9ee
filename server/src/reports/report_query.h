// What a report request asks for (period, grouping, filters) and the requests it covers,
// loaded with the caller's rights: only requests the caller may see (the read API's rules),
// contacts masked as the read API masks them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "rapidesk/reports/summary.h"
#include "rapidesk/server/http_types.h"
#include "rapidesk/server/server_state.h"
#include "rapidesk/server/sync_service.h"

namespace rapidesk::server {

struct ReportQuery {
  reports::Period period;  // [from 00:00, day after `to` 00:00) at utc_offset_minutes
  CivilDate from;
  CivilDate to;            // inclusive
  int utc_offset_minutes = 480;
  reports::Grouping grouping = reports::Grouping::kCategory;
  std::map<std::string, std::string> filters;  // request field -> exact value
};

// Parses from, to (YYYY-MM-DD; default: the 7 days ending today), utc_offset (default
// +08:00), group (summary only) and field filters (request list only). kInvalid with a
// bilingual message naming the parameter on anything else.
Result<ReportQuery> parse_report_query(const HttpRequest& request, Instant now, bool allow_group,
                                       bool allow_filters);

struct ReportRow {
  RequestFields fields;           // as the read API shows them to the caller
  reports::ReportRecord record;   // timeline and clocks from the SLA service
};

// Which fields a ReportRow carries: a summary reads only its record and the texts of
// recurring issues (less memory and time over a large service); the request tables show
// them all.
enum class ReportColumns { kRecordOnly, kAll };

// Every request `who` may see that matches `filters`, with its review facts.
std::vector<ReportRow> load_report_rows(const AuthContext& who, ServerState& state,
                                        const std::map<std::string, std::string>& filters, ReportColumns columns);

// The working calendar durations are measured on: the policy's "business" calendar, else
// the calendar of its first rule, else always open at +08:00.
WorkingCalendar review_calendar(ServerState& state);

}  // namespace rapidesk::server
