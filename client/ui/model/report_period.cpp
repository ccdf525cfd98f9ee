#include "report_period.h"

#include <cstdio>

#include "countdown.h"

namespace rapidesk::ui {

namespace {

constexpr Instant kDayMs = 86'400'000;

// Days since 1970-01-01 → civil date (Howard Hinnant's algorithm).
void civil_from_days(long long z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long yy = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

long long days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

std::string date_text(long long day) {
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(day, y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

}  // namespace

std::pair<std::string, std::string> preset_dates(PeriodPreset preset, Instant now, int utc_offset_minutes) {
  const long long local = now + static_cast<long long>(utc_offset_minutes) * 60'000;
  const long long today = local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs;
  const long long weekday = ((today % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday; Monday = 0
  const long long monday = today - weekday;
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(today, y, m, d);
  const long long first_of_month = days_from_civil(y, m, 1);
  switch (preset) {
    case PeriodPreset::kThisWeek: return {date_text(monday), date_text(today)};
    case PeriodPreset::kLastWeek: return {date_text(monday - 7), date_text(monday - 1)};
    case PeriodPreset::kThisMonth: return {date_text(first_of_month), date_text(today)};
    case PeriodPreset::kLastMonth: {
      const int py = m == 1 ? y - 1 : y;
      const unsigned pm = m == 1 ? 12 : m - 1;
      return {date_text(days_from_civil(py, pm, 1)), date_text(first_of_month - 1)};
    }
    case PeriodPreset::kCustom: break;
  }
  return {date_text(today - 6), date_text(today)};
}

std::string offset_text(int utc_offset_minutes) {
  const int a = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", utc_offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

bool is_date(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const int y = std::stoi(text.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  if (m < 1 || m > 12 || d < 1) return false;
  int yy = 0;
  unsigned mm = 0, dd = 0;
  civil_from_days(days_from_civil(y, m, d), yy, mm, dd);
  return yy == y && mm == m && dd == d;  // 2026-02-30 does not come back as itself
}

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
