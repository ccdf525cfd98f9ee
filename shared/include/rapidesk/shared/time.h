// Instants, civil dates and ISO 8601 text. All instants are UTC milliseconds since the
// Unix epoch; a local view needs an explicit UTC offset (calendars carry theirs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rapidesk/shared/status.h"

namespace rapidesk {

using Instant = std::int64_t;  // ms since 1970-01-01T00:00:00Z
constexpr std::int64_t kMsPerMinute = 60'000;
constexpr std::int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;

// A calendar day (proleptic Gregorian), independent of time zone.
struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  auto operator<=>(const CivilDate&) const = default;
};

// Days since 1970-01-01 for a civil date, and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(CivilDate d);
CivilDate civil_from_days(std::int64_t days);
// 0 = Monday ... 6 = Sunday (ISO weekday minus one).
int weekday_index(std::int64_t days);
bool is_valid_date(CivilDate d);

// "2026-11-23" <-> CivilDate.
std::optional<CivilDate> parse_date(std::string_view text);
std::string format_date(CivilDate d);

// Parses ISO 8601 with a mandatory offset: "2026-11-23T09:30:00+08:00", "...Z",
// optional seconds and fraction (milliseconds kept). Returns a localised error otherwise.
Result<Instant> parse_iso8601(std::string_view text);
// Formats with the given offset, e.g. "2026-11-23T09:30:00.000+08:00" (UTC shows "Z").
std::string format_iso8601(Instant t, int utc_offset_minutes = 0);

// Parses "+08:00", "-05:30", "Z" or "UTC" / "Asia/Shanghai" style names of DST-free zones.
std::optional<int> parse_utc_offset(std::string_view text);

}  // namespace rapidesk
