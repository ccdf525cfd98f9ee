#include "reports/report_query.h"

#include <limits>

#include "rapidesk/server/sla_service.h"
#include "rapidesk/shared/sla_policy.h"

namespace rapidesk::server {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kMaxDays = 366;  // one report covers at most a year
constexpr int kDefaultDays = 7;

Status bad(std::string_view param, const Text& message) { return Status::invalid(message, std::string(param)); }

Result<CivilDate> date_param(const HttpRequest& request, std::string_view name, CivilDate fallback) {
  auto text = request.query_param(name);
  if (!text) return fallback;
  auto d = parse_date(*text);
  if (!d) {
    return bad(name, format_text(Text{"query parameter \"{}\" must be a date YYYY-MM-DD, got \"{}\"",
                                      "查询参数“{}”必须是 YYYY-MM-DD 格式的日期，收到“{}”"},
                                 {same_text(name), same_text(*text)}));
  }
  return *d;
}

Instant local_midnight(CivilDate d, int offset_minutes) {
  return days_from_civil(d) * kDayMs - static_cast<std::int64_t>(offset_minutes) * 60'000;
}

bool is_filter_field(std::string_view key) {
  return key == "status" || key == "team" || key == "owner" || key == "priority" || key == "category" ||
         key == "channel" || key == "customer" || key == "tier";
}

}  // namespace

Result<ReportQuery> parse_report_query(const HttpRequest& request, Instant now, bool allow_group,
                                       bool allow_filters) {
  ReportQuery q;
  for (const auto& [key, value] : request.query) {
    if (key == "from" || key == "to" || key == "utc_offset") continue;
    if (key == "group" && allow_group) continue;
    if (allow_filters && is_filter_field(key)) {
      q.filters[key] = value;
      continue;
    }
    return bad(key, allow_group
                        ? format_text(Text{"unknown query parameter \"{}\"; use from, to, group or utc_offset",
                                           "未知的查询参数“{}”；可用：from、to、group、utc_offset"},
                                      {same_text(key)})
                        : format_text(Text{"unknown query parameter \"{}\"; use from, to, utc_offset, status, team, "
                                           "owner, priority, category, channel, customer or tier",
                                           "未知的查询参数“{}”；可用：from、to、utc_offset、status、team、owner、"
                                           "priority、category、channel、customer、tier"},
                                      {same_text(key)}));
  }
  if (auto given = request.query_param("utc_offset")) {
    // An unencoded "+08:00" arrives as " 08:00" (a query's '+' means a space): read it as meant.
    std::string text(*given);
    if (!text.empty() && text.front() == ' ') text.front() = '+';
    auto offset = parse_utc_offset(text);
    if (!offset) {
      return bad("utc_offset", format_text(Text{"utc_offset must look like +08:00, got \"{}\"",
                                                "utc_offset 必须形如 +08:00，收到“{}”"},
                                           {same_text(text)}));
    }
    q.utc_offset_minutes = *offset;
  }
  if (auto text = request.query_param("group")) {
    auto g = from_wire<reports::Grouping>(*text);
    if (!g) {
      return bad("group", format_text(Text{"unknown group \"{}\"; use category, priority, channel, team, owner or "
                                           "customer_tier",
                                           "未知的分组“{}”；可用：category、priority、channel、team、owner、"
                                           "customer_tier"},
                                      {same_text(*text)}));
    }
    q.grouping = *g;
  }
  const std::int64_t offset_ms = static_cast<std::int64_t>(q.utc_offset_minutes) * 60'000;
  const std::int64_t local_now_ms = now + offset_ms;
  const std::int64_t today = local_now_ms >= 0 ? local_now_ms / kDayMs : (local_now_ms - kDayMs + 1) / kDayMs;
  auto to = date_param(request, "to", civil_from_days(today));
  if (!to) return to.status();
  auto from = date_param(request, "from", civil_from_days(days_from_civil(*to) - (kDefaultDays - 1)));
  if (!from) return from.status();
  const std::int64_t days = days_from_civil(*to) - days_from_civil(*from) + 1;
  if (days < 1) {
    return bad("from", Text{"\"from\" must not be after \"to\"", "“from”不能晚于“to”"});
  }
  if (days > kMaxDays) {
    return bad("to", Text{"a report covers at most 366 days", "一份报表最多覆盖 366 天"});
  }
  q.from = *from;
  q.to = *to;
  q.period = reports::Period{local_midnight(*from, q.utc_offset_minutes),
                             local_midnight(civil_from_days(days_from_civil(*to) + 1), q.utc_offset_minutes)};
  return q;
}

std::vector<ReportRow> load_report_rows(const AuthContext& who, ServerState& state,
                                        const std::map<std::string, std::string>& filters, ReportColumns columns) {
  // The fields the review record is made of and the texts recurring issues are found in;
  // a summary needs no others.
  static constexpr std::string_view kRecordFields[] = {"number",       "channel", "tier",        "team", "owner",
                                                       "satisfaction", "title",   "description", "tags"};
  size_t total = 0;
  auto visible = state.sync->list_requests(
      who, filters, 0, std::numeric_limits<size_t>::max(), &total,
      columns == ReportColumns::kAll ? std::span<const std::string_view>() : std::span(kRecordFields));
  std::vector<std::string> ids;
  ids.reserve(visible.size());
  for (auto& f : visible) ids.push_back(f["id"]);
  std::map<std::string, RequestReview> reviews;
  if (state.sla) reviews = state.sla->review_requests(ids);
  std::vector<ReportRow> rows;
  rows.reserve(visible.size());
  for (auto& fields : visible) {
    auto it = reviews.find(fields["id"]);
    if (it == reviews.end()) continue;  // not yet known to the SLA service: no timeline
    const RequestReview& r = it->second;
    reports::ReportRecord rec;
    rec.id = fields["id"];
    rec.number = fields["number"];
    rec.category = r.facts.category;
    rec.priority = r.facts.priority;
    rec.channel = from_wire<Channel>(fields["channel"]).value_or(Channel::kOther);
    rec.tier = from_wire<Tier>(fields["tier"]).value_or(Tier::kRegular);
    rec.team = fields["team"];
    rec.owner = fields["owner"];
    rec.status = r.facts.status;
    rec.contacted_at = r.facts.contacted_at;
    rec.first_response_at = r.facts.first_response_at;
    rec.resolved_at = r.facts.resolved_at;
    rec.closed_at = r.closed_at;
    rec.reopened_at = r.reopened_at;
    if (!fields["satisfaction"].empty()) {
      int score = 0;
      for (char c : fields["satisfaction"]) score = (c >= '0' && c <= '9') ? score * 10 + (c - '0') : -1000;
      if (score >= 1 && score <= 5) rec.satisfaction = score;
    }
    rec.clocks = r.clocks;
    rows.push_back(ReportRow{std::move(fields), std::move(rec)});
  }
  return rows;
}

WorkingCalendar review_calendar(ServerState& state) {
  if (state.sla) {
    auto policy = SlaPolicy::from_json(state.sla->policy_json());
    if (policy) {
      if (const WorkingCalendar* c = policy->calendar("business")) return *c;
      if (!policy->rules().empty()) {
        if (const WorkingCalendar* c = policy->calendar(policy->rules().front().calendar)) return *c;
      }
    }
  }
  return WorkingCalendar::always_open(480);
}

}  // namespace rapidesk::server
