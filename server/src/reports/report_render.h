// The review summary and the request list as JSON and as CSV (shared/csv.h: UTF-8 BOM,
// formula-injection-safe cells).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/report_query.h"

namespace rapidesk::server {

// The whole summary document of GET /api/v1/reports/summary (docs/reports.md).
nlohmann::json summary_json(const ReportQuery& query, const std::vector<ReportRow>& rows,
                            const WorkingCalendar& calendar);
// The same figures as CSV rows `scope,metric,value` (scope: total, previous, group:KEY,
// recurring:N), flattened from summary_json.
std::string summary_csv(const nlohmann::json& summary);
// The request list with the template columns: the header (field names) and one row per
// request contacted in the period. requests.csv and requests.xlsx both write exactly this.
std::vector<std::vector<std::string>> requests_table(const ReportQuery& query, const std::vector<ReportRow>& rows);
// requests_table as CSV.
std::string requests_csv(const ReportQuery& query, const std::vector<ReportRow>& rows);

}  // namespace rapidesk::server
