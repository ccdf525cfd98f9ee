// The review endpoints: GET /api/v1/reports/summary (JSON), /summary.csv, /summary.xlsx,
// /summary.html (printable), /requests.csv and /requests.xlsx.
// Every figure is computed from the requests the caller may see (the read API's rules), so
// coordinators and admins get the whole service and others their own share of it.
#include "rapidesk/server/router.h"
#include "rapidesk/server/server_state.h"
#include "reports/report_query.h"
#include "reports/report_html.h"
#include "reports/report_render.h"
#include "reports/report_xlsx.h"

namespace rapidesk::server {

namespace {

HttpResponse csv_response(std::string body, std::string_view file_name) {
  HttpResponse r;
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + std::string(file_name) + "\"");
  r.body = std::move(body);
  return r;
}

HttpResponse xlsx_response(Result<std::string> bytes, std::string_view file_name) {
  if (!bytes) return error_response(bytes.status());
  HttpResponse r;
  r.content_type = kXlsxContentType;
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + std::string(file_name) + "\"");
  r.body = std::move(*bytes);
  return r;
}

// The parsed query and the requests the caller may see; load() authenticates the caller
// first, load_for() takes one already authenticated.
struct Loaded {
  ReportQuery query;
  std::vector<ReportRow> rows;
};
Result<Loaded> load_for(const AuthContext& who, const HttpRequest& request, ServerState& state, bool summary) {
  auto query = parse_report_query(request, state.clock(), summary, !summary);
  if (!query) return query.status();
  Loaded out{std::move(*query), {}};
  out.rows =
      load_report_rows(who, state, out.query.filters, summary ? ReportColumns::kRecordOnly : ReportColumns::kAll);
  return out;
}
Result<Loaded> load(const HttpRequest& request, ServerState& state, bool summary) {
  auto who = authenticate(request, state);
  if (!who) return who.status();
  return load_for(*who, request, state, summary);
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

HttpResponse handle_requests_xlsx(const HttpRequest& request, ServerState& state) {
  auto loaded = load(request, state, false);
  if (!loaded) return error_response(loaded.status());
  return xlsx_response(requests_xlsx(requests_table(loaded->query, loaded->rows)),
                       "rapidesk-requests-" + format_date(loaded->query.from) + ".xlsx");
}

HttpResponse handle_summary_xlsx(const HttpRequest& request, ServerState& state) {
  auto loaded = load(request, state, true);
  if (!loaded) return error_response(loaded.status());
  return xlsx_response(summary_xlsx(summary_json(loaded->query, loaded->rows, review_calendar(state))),
                       "rapidesk-summary-" + format_date(loaded->query.from) + ".xlsx");
}

// The printable page takes one more parameter, lang=zh|en (default zh).
HttpResponse handle_summary_html(const HttpRequest& request, ServerState& state) {
  // Who asks comes first, as on every route: without a token the answer is 401 whatever else
  // is wrong with the request.
  auto who = authenticate(request, state);
  if (!who) return error_response(who.status());
  Language lang = Language::kChinese;
  HttpRequest rest = request;
  if (auto text = request.query_param("lang")) {
    if (*text != "zh" && *text != "en") {
      return error_response(Status::invalid(
          format_text(Text{"lang must be zh or en, got \"{}\"", "lang 必须是 zh 或 en，收到“{}”"}, {same_text(*text)}),
          "lang"));
    }
    lang = *text == "en" ? Language::kEnglish : Language::kChinese;
    rest.query.erase("lang");
  }
  auto loaded = load_for(*who, rest, state, true);
  if (!loaded) return error_response(loaded.status());
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  // Shown in the browser, saved under a telling name; nothing on it may load or run.
  r.headers.emplace_back("Content-Disposition",
                         "inline; filename=\"rapidesk-summary-" + format_date(loaded->query.from) + ".html\"");
  r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
  r.body = summary_html(summary_json(loaded->query, loaded->rows, review_calendar(state)), lang);
  return r;
}

}  // namespace

void add_report_routes(Router& router, const ServerConfig&) {
  router.add("GET", "/api/v1/reports/summary", handle_summary);
  router.add("GET", "/api/v1/reports/summary.csv", handle_summary_csv);
  router.add("GET", "/api/v1/reports/summary.xlsx", handle_summary_xlsx);
  router.add("GET", "/api/v1/reports/summary.html", handle_summary_html);
  router.add("GET", "/api/v1/reports/requests.csv", handle_requests_csv);
  router.add("GET", "/api/v1/reports/requests.xlsx", handle_requests_xlsx);
}

}  // namespace rapidesk::server
