#include "rapidesk/shared/calendar.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace rapidesk {

namespace {

constexpr std::int64_t kSearchDays = 3660;  // ten years: beyond that a calendar is broken
const std::vector<WorkingSpan> kNoSpans;
const std::vector<WorkingSpan> kWholeDay = {WorkingSpan{0, 24 * 60}};
constexpr std::array<std::string_view, 7> kDayKeys = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

Status calendar_error(std::string_view what) {
  return Status::invalid(format_text(Text{"Working calendar: {}", "工作日历配置错误：{}"}, {same_text(what)}));
}

std::optional<int> parse_hhmm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

Result<std::vector<WorkingSpan>> parse_spans(const nlohmann::json& j, std::string_view where) {
  if (!j.is_array()) return calendar_error(std::string(where) + " must be a list like [\"09:00-18:00\"]");
  std::vector<WorkingSpan> spans;
  for (const auto& item : j) {
    if (!item.is_string()) return calendar_error(std::string(where) + ": each span is a string \"HH:MM-HH:MM\"");
    auto span = parse_working_span(item.get<std::string>());
    if (!span) return calendar_error(std::string(where) + ": bad span \"" + item.get<std::string>() + "\"");
    if (!spans.empty() && span->start_minute < spans.back().end_minute) {
      return calendar_error(std::string(where) + ": spans must be in order and must not overlap");
    }
    spans.push_back(*span);
  }
  return spans;
}

Result<std::set<std::int64_t>> parse_dates(const nlohmann::json& j, std::string_view where) {
  std::set<std::int64_t> days;
  if (j.is_null()) return days;
  if (!j.is_array()) return calendar_error(std::string(where) + " must be a list of dates");
  for (const auto& item : j) {
    auto d = item.is_string() ? parse_date(item.get<std::string>()) : std::nullopt;
    if (!d) return calendar_error(std::string(where) + ": dates are written YYYY-MM-DD");
    days.insert(days_from_civil(*d));
  }
  return days;
}

}  // namespace

std::optional<WorkingSpan> parse_working_span(std::string_view text) {
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto a = parse_hhmm(text.substr(0, dash));
  auto b = parse_hhmm(text.substr(dash + 1));
  if (!a || !b || *a >= *b) return std::nullopt;
  return WorkingSpan{*a, *b};
}

WorkingCalendar WorkingCalendar::always_open(int utc_offset_minutes) {
  WorkingCalendar c;
  c.utc_offset_minutes_ = utc_offset_minutes;
  c.always_open_ = true;
  return c;
}

WorkingCalendar WorkingCalendar::weekdays(std::vector<WorkingSpan> spans, int utc_offset_minutes) {
  WorkingCalendar c;
  c.utc_offset_minutes_ = utc_offset_minutes;
  for (int d = 0; d < 5; ++d) c.weekly_[d] = spans;
  c.makeup_spans_ = std::move(spans);
  return c;
}

// Function-try-block: a value of another type than expected (a number for a text, say) is
// a configuration error like any other, never an exception out of a policy reload.
Result<WorkingCalendar> WorkingCalendar::from_json(std::string_view json_text) try {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return calendar_error("not a JSON object");
  if (j.contains("time_zone") && !j["time_zone"].is_string()) {
    return calendar_error("\"time_zone\" must be text, a fixed offset like \"+08:00\"");
  }
  if (j.contains("always_open") && !j["always_open"].is_boolean()) {
    return calendar_error("\"always_open\" must be true or false");
  }
  WorkingCalendar c;
  const std::string zone = j.value("time_zone", std::string("UTC"));
  auto offset = parse_utc_offset(zone);
  if (!offset) return calendar_error("unknown time zone \"" + zone + "\" (use a fixed offset like +08:00)");
  c.utc_offset_minutes_ = *offset;
  c.always_open_ = j.value("always_open", false);
  if (c.always_open_) return c;
  if (j.contains("hours")) {
    const auto& hours = j["hours"];
    if (!hours.is_object()) return calendar_error("\"hours\" must map mon..sun to spans");
    for (auto it = hours.begin(); it != hours.end(); ++it) {
      auto idx = std::find(kDayKeys.begin(), kDayKeys.end(), it.key());
      if (idx == kDayKeys.end()) return calendar_error("unknown weekday \"" + it.key() + "\" (use mon..sun)");
      auto spans = parse_spans(it.value(), it.key());
      if (!spans) return spans.status();
      c.weekly_[idx - kDayKeys.begin()] = std::move(*spans);
    }
  }
  auto holidays = parse_dates(j.value("holidays", nlohmann::json()), "holidays");
  if (!holidays) return holidays.status();
  auto makeup = parse_dates(j.value("makeup_days", nlohmann::json()), "makeup_days");
  if (!makeup) return makeup.status();
  for (auto d : *makeup) {
    if (holidays->count(d)) return calendar_error(format_date(civil_from_days(d)) + " is both a holiday and a make-up day");
  }
  c.holidays_ = std::move(*holidays);
  c.makeup_days_ = std::move(*makeup);
  if (j.contains("makeup_hours")) {
    auto spans = parse_spans(j["makeup_hours"], "makeup_hours");
    if (!spans) return spans.status();
    c.makeup_spans_ = std::move(*spans);
  } else {
    c.makeup_spans_ = c.weekly_[0];
  }
  bool any = false;
  for (const auto& d : c.weekly_) any = any || !d.empty();
  if (!any) return calendar_error("no working hours on any weekday");
  return c;
} catch (const nlohmann::json::exception& e) {
  return calendar_error(std::string("a value has the wrong type: ") + e.what());
}

const std::vector<WorkingSpan>& WorkingCalendar::spans_on(std::int64_t days) const {
  if (always_open_) return kWholeDay;
  if (holidays_.count(days)) return kNoSpans;
  if (makeup_days_.count(days)) return makeup_spans_;
  return weekly_[weekday_index(days)];
}

std::int64_t WorkingCalendar::local_day(Instant t) const {
  const Instant local = t + static_cast<Instant>(utc_offset_minutes_) * kMsPerMinute;
  return local >= 0 ? local / kMsPerDay : (local - kMsPerDay + 1) / kMsPerDay;
}

Result<Instant> WorkingCalendar::add_working(Instant from, std::int64_t working_ms) const {
  if (working_ms <= 0) return from;
  const Instant offset = static_cast<Instant>(utc_offset_minutes_) * kMsPerMinute;
  if (always_open_) return from + working_ms;
  const Instant local = from + offset;
  std::int64_t remaining = working_ms;
  const std::int64_t first_day = local_day(from);
  for (std::int64_t day = first_day; day < first_day + kSearchDays; ++day) {
    const Instant midnight = day * kMsPerDay;
    for (const auto& span : spans_on(day)) {
      const Instant span_end = midnight + span.end_minute * kMsPerMinute;
      if (local >= span_end) continue;
      const Instant start = std::max(local, midnight + span.start_minute * kMsPerMinute);
      const std::int64_t available = span_end - start;
      if (remaining <= available) return start + remaining - offset;
      remaining -= available;
    }
  }
  return calendar_error("no working time found within ten years");
}

Result<Instant> WorkingCalendar::end_of_working_day_after(Instant from, int n) const {
  const Instant offset = static_cast<Instant>(utc_offset_minutes_) * kMsPerMinute;
  if (always_open_) return from + static_cast<Instant>(n) * kMsPerDay;
  int counted = 0;
  const std::int64_t first_day = local_day(from);
  for (std::int64_t day = first_day + 1; day < first_day + kSearchDays; ++day) {
    const auto& spans = spans_on(day);
    if (spans.empty()) continue;
    if (++counted >= n) return day * kMsPerDay + spans.back().end_minute * kMsPerMinute - offset;
  }
  return calendar_error("no working day found within ten years");
}

namespace {

std::int64_t span_ms(const std::vector<WorkingSpan>& spans) {
  std::int64_t total = 0;
  for (const auto& span : spans) total += (span.end_minute - span.start_minute) * kMsPerMinute;
  return total;
}

}  // namespace

std::int64_t WorkingCalendar::working_ms_between(Instant a, Instant b) const {
  if (b <= a) return 0;
  if (always_open_) return b - a;
  const Instant offset = static_cast<Instant>(utc_offset_minutes_) * kMsPerMinute;
  const Instant la = a + offset;
  const Instant lb = b + offset;
  auto within = [&](std::int64_t day) {
    std::int64_t total = 0;
    const Instant midnight = day * kMsPerDay;
    for (const auto& span : spans_on(day)) {
      const Instant s = std::max(la, midnight + span.start_minute * kMsPerMinute);
      const Instant e = std::min(lb, midnight + span.end_minute * kMsPerMinute);
      if (e > s) total += e - s;
    }
    return total;
  };
  const std::int64_t first = local_day(a);
  const std::int64_t last = local_day(b - 1);
  constexpr std::int64_t kDayByDay = 28;
  std::int64_t total = 0;
  if (last - first < kDayByDay) {
    for (std::int64_t day = first; day <= last; ++day) total += within(day);
    return total;
  }
  // A long span (a request contacted years ago, say) in time that does not grow with it: the
  // two end days as above; the whole days between by whole weeks, the days left over one by
  // one, and then each holiday and make-up day among them corrected from its weekday's hours.
  total = within(first) + within(last);
  const std::int64_t from = first + 1;
  const std::int64_t days = last - from;  // whole days in [from, last)
  std::int64_t week = 0;
  for (const auto& spans : weekly_) week += span_ms(spans);
  total += days / 7 * week;
  for (std::int64_t day = from + days / 7 * 7; day < last; ++day) total += span_ms(weekly_[weekday_index(day)]);
  std::set<std::int64_t> special;
  special.insert(holidays_.lower_bound(from), holidays_.lower_bound(last));
  special.insert(makeup_days_.lower_bound(from), makeup_days_.lower_bound(last));
  for (std::int64_t day : special) total += span_ms(spans_on(day)) - span_ms(weekly_[weekday_index(day)]);
  return total;
}

Result<Instant> WorkingCalendar::next_working_instant(Instant t) const {
  if (always_open_) return t;
  const Instant offset = static_cast<Instant>(utc_offset_minutes_) * kMsPerMinute;
  const Instant local = t + offset;
  const std::int64_t first_day = local_day(t);
  for (std::int64_t day = first_day; day < first_day + kSearchDays; ++day) {
    for (const auto& span : spans_on(day)) {
      const Instant end = day * kMsPerDay + span.end_minute * kMsPerMinute;
      if (local < end) return std::max(local, day * kMsPerDay + span.start_minute * kMsPerMinute) - offset;
    }
  }
  return calendar_error("no working time found within ten years");
}

}  // namespace rapidesk
