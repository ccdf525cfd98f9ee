#include "reports/report_render.h"

#include <algorithm>

#include "rapidesk/reports/recurring.h"
#include "rapidesk/shared/csv.h"

namespace rapidesk::server {

namespace {

constexpr size_t kTopClusters = 10;
constexpr size_t kClusterNumbers = 5;

std::string offset_text(int minutes) {
  const char sign = minutes < 0 ? '-' : '+';
  const int m = minutes < 0 ? -minutes : minutes;
  std::string out(1, sign);
  out += static_cast<char>('0' + m / 600);
  out += static_cast<char>('0' + (m / 60) % 10);
  out += ':';
  out += static_cast<char>('0' + (m % 60) / 10);
  out += static_cast<char>('0' + m % 10);
  return out;
}

template <typename T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json distribution_json(const reports::Distribution& d) {
  return {{"count", d.count}, {"median_ms", opt(d.median)}, {"p90_ms", opt(d.p90)}};
}

nlohmann::json figures_json(const reports::GroupFigures& f) {
  nlohmann::json sla = nlohmann::json::object();
  for (const auto& [target, t] : f.sla) {
    sla[std::string(to_wire(target))] = {{"met_original", t.met_original},
                                         {"met_reagreed", t.met_reagreed},
                                         {"missed", t.missed},
                                         {"met_percent", opt(t.met_percent())}};
  }
  nlohmann::json counts = nlohmann::json::object();
  for (int i = 0; i < 5; ++i) counts[std::to_string(i + 1)] = f.satisfaction_counts[static_cast<size_t>(i)];
  return {{"opened", f.opened},
          {"resolved", f.resolved},
          {"closed", f.closed},
          {"reopened", f.reopened},
          {"reopen_rate_percent", opt(f.reopen_rate_percent)},
          {"backlog_at_end", f.backlog_at_end},
          {"first_response",
           {{"calendar", distribution_json(f.first_response_calendar_ms)},
            {"working", distribution_json(f.first_response_working_ms)}}},
          {"resolution",
           {{"calendar", distribution_json(f.resolution_calendar_ms)},
            {"working", distribution_json(f.resolution_working_ms)}}},
          {"sla", std::move(sla)},
          {"satisfaction", {{"mean", opt(f.satisfaction_mean)}, {"counts", std::move(counts)}}}};
}

nlohmann::json recurring_json(const ReportQuery& q, const std::vector<ReportRow>& rows) {
  // Oldest contact first, so each cluster is led by its earliest request.
  std::vector<const ReportRow*> in_period;
  for (const auto& row : rows) {
    if (row.record.contacted_at >= q.period.from && row.record.contacted_at < q.period.to) in_period.push_back(&row);
  }
  std::stable_sort(in_period.begin(), in_period.end(),
                   [](const ReportRow* a, const ReportRow* b) { return a->record.contacted_at < b->record.contacted_at; });
  std::vector<reports::IssueText> issues;
  std::map<std::string, std::string> numbers;  // id -> number
  for (const ReportRow* row : in_period) {
    auto text = [&](const char* k) {
      auto it = row->fields.find(k);
      return it == row->fields.end() ? std::string() : it->second;
    };
    reports::IssueText issue{row->record.id, text("title") + " " + text("description"), {}};
    const std::string tags = text("tags");
    for (size_t start = 0; start < tags.size();) {
      size_t comma = tags.find(',', start);
      if (comma == std::string::npos) comma = tags.size();
      if (comma > start) issue.tags.push_back(tags.substr(start, comma - start));
      start = comma + 1;
    }
    numbers[row->record.id] = row->record.number;
    issues.push_back(std::move(issue));
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : reports::recurring_issues(issues, 0.25, 2, kTopClusters)) {
    nlohmann::json examples = nlohmann::json::array();
    for (size_t i = 0; i < c.ids.size() && i < kClusterNumbers; ++i) examples.push_back(numbers[c.ids[i]]);
    out.push_back({{"count", c.ids.size()},
                   {"example_numbers", std::move(examples)},
                   {"example_text", c.examples.empty() ? std::string() : c.examples.front()},
                   {"common_tags", c.common_tags}});
  }
  return out;
}

// Flattens nested objects into dotted metric names; null becomes an empty cell.
void flatten(const std::string& scope, const std::string& prefix, const nlohmann::json& j, std::string& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten(scope, prefix.empty() ? k : prefix + "." + k, v, out);
    return;
  }
  std::string value;
  if (j.is_string()) value = j.get<std::string>();
  else if (j.is_array()) {
    for (const auto& e : j) {
      if (!value.empty()) value += ' ';
      value += e.is_string() ? e.get<std::string>() : e.dump();
    }
  } else if (!j.is_null()) value = j.dump();
  out += csv_row({scope, prefix, value});
}

}  // namespace

nlohmann::json summary_json(const ReportQuery& q, const std::vector<ReportRow>& rows, const WorkingCalendar& calendar) {
  std::vector<const reports::ReportRecord*> records;  // the rows' own records: a million are not copied
  records.reserve(rows.size());
  for (const auto& row : rows) records.push_back(&row.record);
  const reports::Summary s = reports::summarize(records, q.period, q.grouping, calendar);
  const std::string offset = offset_text(q.utc_offset_minutes);
  const Instant length = q.period.to - q.period.from;
  nlohmann::json groups = nlohmann::json::object();
  for (const auto& [key, g] : s.groups) groups[key] = figures_json(g);
  nlohmann::json previous = figures_json(s.previous_total);
  return {{"from", format_date(q.from)},
          {"to", format_date(q.to)},
          {"utc_offset", offset},
          {"group", std::string(to_wire(q.grouping))},
          {"period",
           {{"start", format_iso8601(q.period.from, q.utc_offset_minutes)},
            {"end", format_iso8601(q.period.to, q.utc_offset_minutes)}}},
          {"total", figures_json(s.total)},
          {"previous",
           {{"start", format_iso8601(q.period.from - length, q.utc_offset_minutes)},
            {"end", format_iso8601(q.period.from, q.utc_offset_minutes)},
            {"figures", std::move(previous)}}},
          {"groups", std::move(groups)},
          {"recurring", recurring_json(q, rows)}};
}

std::string summary_csv(const nlohmann::json& summary) {
  std::string out(kUtf8Bom);
  out += csv_row({"scope", "metric", "value"});
  for (const char* k : {"from", "to", "utc_offset", "group"}) flatten("report", k, summary[k], out);
  flatten("total", "", summary["total"], out);
  flatten("previous", "", summary["previous"]["figures"], out);
  for (const auto& [key, g] : summary["groups"].items()) flatten("group:" + key, "", g, out);
  size_t n = 0;
  for (const auto& c : summary["recurring"]) flatten("recurring:" + std::to_string(++n), "", c, out);
  return out;
}

std::vector<std::vector<std::string>> requests_table(const ReportQuery& q, const std::vector<ReportRow>& rows) {
  static const std::vector<std::string> kColumns = {
      "number", "customer", "contact", "channel", "category", "description", "priority", "team", "owner",
      "status", "contacted_at", "expected_at", "resolved_at", "progress", "feedback", "satisfaction"};
  std::vector<std::vector<std::string>> table;
  table.push_back(kColumns);
  for (const auto& row : rows) {
    const auto& r = row.record;
    if (r.contacted_at < q.period.from || r.contacted_at >= q.period.to) continue;
    std::vector<std::string> cells;
    cells.reserve(kColumns.size());
    for (const auto& col : kColumns) {
      if (col == "resolved_at") {
        cells.push_back(r.resolved_at ? format_iso8601(*r.resolved_at, q.utc_offset_minutes) : std::string());
        continue;
      }
      auto it = row.fields.find(col);
      cells.push_back(it == row.fields.end() ? std::string() : it->second);
    }
    table.push_back(std::move(cells));
  }
  return table;
}

std::string requests_csv(const ReportQuery& q, const std::vector<ReportRow>& rows) {
  std::string out(kUtf8Bom);
  for (const auto& cells : requests_table(q, rows)) out += csv_row(cells);
  return out;
}

}  // namespace rapidesk::server
