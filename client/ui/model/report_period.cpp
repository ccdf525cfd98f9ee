#include "report_period.h"

#include <cstdio>

#include "countdown.h"

namespace rapidesk::ui {

std::pair<std::string, std::string> preset_dates(PeriodPreset preset, Instant now, int utc_offset_minutes) {
  const std::int64_t local = now + static_cast<std::int64_t>(utc_offset_minutes) * kMsPerMinute;
  const std::int64_t today = local >= 0 ? local / kMsPerDay : (local - kMsPerDay + 1) / kMsPerDay;
  const std::int64_t monday = today - weekday_index(today);
  const CivilDate date = civil_from_days(today);
  const std::int64_t first_of_month = days_from_civil({date.year, date.month, 1});
  auto text = [](std::int64_t day) { return format_date(civil_from_days(day)); };
  switch (preset) {
    case PeriodPreset::kThisWeek: return {text(monday), text(today)};
    case PeriodPreset::kLastWeek: return {text(monday - 7), text(monday - 1)};
    case PeriodPreset::kThisMonth: return {text(first_of_month), text(today)};
    case PeriodPreset::kLastMonth: {
      const CivilDate last = civil_from_days(first_of_month - 1);
      return {text(days_from_civil({last.year, last.month, 1})), text(first_of_month - 1)};
    }
    case PeriodPreset::kCustom: break;
  }
  return {text(today - 6), text(today)};
}

std::string offset_text(int utc_offset_minutes) {
  const int a = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", utc_offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

bool is_date(const std::string& text) { return parse_date(text).has_value(); }

std::string summary_target(const std::string& from, const std::string& to, const std::string& group,
                           int utc_offset_minutes, const std::string& suffix) {
  std::string offset = offset_text(utc_offset_minutes);
  if (offset[0] == '+') offset = "%2B" + offset.substr(1);  // '+' in a query means space
  return "/api/v1/reports/summary" + suffix + "?from=" + from + "&to=" + to + "&group=" + group + "&utc_offset=" + offset;
}

std::string requests_export_target(const std::string& from, const std::string& to, int utc_offset_minutes,
                                   const std::string& suffix) {
  std::string offset = offset_text(utc_offset_minutes);
  if (offset[0] == '+') offset = "%2B" + offset.substr(1);
  return "/api/v1/reports/requests" + suffix + "?from=" + from + "&to=" + to + "&utc_offset=" + offset;
}

std::string duration_text(long long ms) { return ms < 0 ? std::string("-") : format_remaining(ms); }

}  // namespace rapidesk::ui
