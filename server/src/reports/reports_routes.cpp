// The review endpoints: GET /api/v1/reports/summary (JSON), /summary.csv and /requests.csv.
// Every figure is computed from the requests the caller may see (the read API's rules), so
// coordinators and admins get the whole service and others their own share of it.
#include "rapidesk/server/router.h"
#include "rapidesk/server/server_state.h"
#include "reports/report_query.h"
#include "reports/report_render.h"

namespace rapidesk::server {

namespace {

HttpResponse csv_response(std::string body, std::string_view file_name) {
  HttpResponse r;
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + std::string(file_name) + "\"");
  r.body = std::move(body);
  return r;
}

// Authenticates the caller, parses the query and loads the requests the caller may see.
struct Loaded {
  ReportQuery query;
  std::vector<ReportRow> rows;
};
Result<Loaded> load(const HttpRequest& request, ServerState& state, bool summary) {
  auto who = authenticate(request, state);
  if (!who) return who.status();
  auto query = parse_report_query(request, state.clock(), summary, !summary);
  if (!query) return query.status();
  Loaded out{std::move(*query), {}};
  out.rows = load_report_rows(*who, state, out.query.filters);
  return out;
}

HttpResponse handle_summary(const HttpRequest& request, ServerState& state) {
  auto loaded = load(request, state, true);
  if (!loaded) return error_response(loaded.status());
  return json_response(200, summary_json(loaded->query, loaded->rows, review_calendar(state)));
}

HttpResponse handle_summary_csv(const HttpRequest& request, ServerState& state) {
  auto loaded = load(request, state, true);
  if (!loaded) return error_response(loaded.status());
  return csv_response(summary_csv(summary_json(loaded->query, loaded->rows, review_calendar(state))),
                      "rapidesk-summary-" + format_date(loaded->query.from) + ".csv");
}

HttpResponse handle_requests_csv(const HttpRequest& request, ServerState& state) {
  auto loaded = load(request, state, false);
  if (!loaded) return error_response(loaded.status());
  return csv_response(requests_csv(loaded->query, loaded->rows),
                      "rapidesk-requests-" + format_date(loaded->query.from) + ".csv");
}

}  // namespace

void add_report_routes(Router& router, const ServerConfig&) {
  router.add("GET", "/api/v1/reports/summary", handle_summary);
  router.add("GET", "/api/v1/reports/summary.csv", handle_summary_csv);
  router.add("GET", "/api/v1/reports/requests.csv", handle_requests_csv);
}

}  // namespace rapidesk::server
